using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.Hosting.Packaging;

/// <summary>
/// Writes the Azure Functions deployment folder of the isolated worker — the publish folder as it is (the worker,
/// functions.metadata, worker.config.json, extensions.json, .azurefunctions/) with host.json at its root — plus a
/// local.settings.json for `func start`, and a zip of it for Azure.
/// </summary>
public static class FunctionPackage
{
    public const string HostJson = "host.json";
    public const string LocalSettingsJson = "local.settings.json";
    public const string WorkerConfigJson = "worker.config.json";

    /// <summary>The command that makes a folder this class can package.</summary>
    public const string PublishCommand =
        "dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o <dir>";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Serialize(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>
    /// Copies the published worker in <paramref name="sourceDirectory"/> to <paramref name="directory"/> (replaced),
    /// writes local.settings.json there, and zips everything but local.settings.json as <paramref name="directory"/>.zip.
    /// </summary>
    /// <returns>The zip's path.</returns>
    public static string Write(string sourceDirectory, string directory)
    {
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceDirectory));
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        CheckSource(source);
        if (IsSameOrInside(target, source))
            throw new InvalidOperationException($"The package folder '{target}' must be outside the published folder '{source}'.");
        if (IsSameOrInside(source, target))
            throw new InvalidOperationException($"The package folder '{target}' would replace the published folder '{source}' inside it; choose another folder.");

        var settings = LocalSettings(source);
        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        CopyDirectory(source, target);
        File.WriteAllText(Path.Combine(target, LocalSettingsJson), Serialize(LocalSettingsGenerator.Generate(settings)));

        var zip = target + ".zip";
        File.Delete(zip);
        // local.settings.json is for `func start` only; the Functions host in Azure ignores it.
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(target, file);
                if (relative == LocalSettingsJson)
                    continue;
                var entry = archive.CreateEntryFromFile(file, relative.Replace(Path.DirectorySeparatorChar, '/'), CompressionLevel.Optimal);
                // Keep the Unix mode (the apphost's execute bit), as a Linux publish has it.
                if (!OperatingSystem.IsWindows())
                    entry.ExternalAttributes = (int)File.GetUnixFileMode(file) << 16;
            }
        }
        return zip;
    }

    /// <summary>
    /// The app settings the functions refer to as %Name% in functions.metadata, with the defaults of the published
    /// appsettings.json (empty when it has none), for local.settings.json.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> LocalSettings(string sourceDirectory)
    {
        var metadata = FunctionsMetadata.Load(Path.Combine(sourceDirectory, FunctionsMetadata.FileName));
        var defaults = new ConfigurationBuilder().SetBasePath(Path.GetFullPath(sourceDirectory)).AddJsonFile("appsettings.json", optional: true).Build();
        return metadata.SettingReferences()
            .Select(name => new KeyValuePair<string, string>(name, defaults[name] ?? defaults[name.Replace("__", ":", StringComparison.Ordinal)] ?? ""))
            .ToList();
    }

    private static void CheckSource(string source)
    {
        foreach (var file in new[] { FunctionsMetadata.FileName, WorkerConfigJson })
        {
            if (!File.Exists(Path.Combine(source, file)))
                throw new InvalidOperationException(
                    $"'{source}' is not a published isolated-worker build of tokenbroker: it has no {file}. Run {PublishCommand}, then dotnet <dir>/tokenbroker.dll package <target>.");
        }
        if (!File.Exists(Path.Combine(source, HostJson)))
            throw new InvalidOperationException(
                $"'{source}' has no {HostJson}: the build copies the repository's host.json next to the executable. Build or publish again, or copy the repository's host.json into '{source}'.");
    }

    private static bool IsSameOrInside(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var destination = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, destination);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(destination, File.GetUnixFileMode(file));
        }
        foreach (var directory in Directory.EnumerateDirectories(source))
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
    }
}
