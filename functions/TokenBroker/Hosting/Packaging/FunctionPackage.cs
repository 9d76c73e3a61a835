using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Hosting.Packaging;

/// <summary>
/// Writes a Functions deployment folder — host.json, one function.json per table entry, the executable and its
/// files — and a zip of it. The executable must be a self-contained linux-x64 publish, so the package does not
/// depend on the .NET version of the Functions image.
/// </summary>
public static class FunctionPackage
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Serialize(JsonNode node) => node.ToJsonString(Indented) + "\n";

    /// <summary>Writes only the generated files (host.json, function.json, local.settings.json).</summary>
    public static void WriteDescriptors(string directory, TokenBroker.Hosting.Functions.FunctionCatalog table, QueueHostingOptions queues, IEnumerable<KeyValuePair<string, string>> settings)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "host.json"), Serialize(HostJsonGenerator.Generate(queues)));
        File.WriteAllText(Path.Combine(directory, "local.settings.json"), Serialize(LocalSettingsGenerator.Generate(settings)));
    }

    /// <summary>Copies the running self-contained executable into <paramref name="directory"/>, adds the descriptors, and zips it.</summary>
    public static string Write(string directory, TokenBroker.Hosting.Functions.FunctionCatalog table, QueueHostingOptions queues, IEnumerable<KeyValuePair<string, string>> settings)
    {
        if (OperatingSystem.IsWindows())
            throw new InvalidOperationException("Build the package on Linux: it keeps the executable's Unix file mode, which Windows cannot read.");
        var source = Path.GetFullPath(AppContext.BaseDirectory);
        var target = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(source, "libcoreclr.so")) || !File.Exists(Path.Combine(source, HostJsonGenerator.ExecutableName)))
            throw new InvalidOperationException(
                $"'{source}' is not a self-contained linux-x64 publish of tokenbroker. Run: dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained -o <dir>, then <dir>/tokenbroker package <target>.");
        if (target.StartsWith(source.TrimEnd('/') + "/", StringComparison.Ordinal) || target == source.TrimEnd('/'))
            throw new InvalidOperationException($"The package folder '{target}' must be outside the executable's folder '{source}'.");

        if (Directory.Exists(target))
            Directory.Delete(target, recursive: true);
        CopyDirectory(source, target);
        WriteDescriptors(target, table, queues, settings);

        var zip = target.TrimEnd('/') + ".zip";
        File.Delete(zip);
        // local.settings.json is for `func start` only; the Functions host in Azure ignores it.
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(target, file);
                if (relative == "local.settings.json")
                    continue;
                var entry = archive.CreateEntryFromFile(file, relative, CompressionLevel.Optimal);
                // Keep the Unix mode (the executable bit above all): Linux Functions hosts unzip with it.
                entry.ExternalAttributes = (int)File.GetUnixFileMode(file) << 16;
            }
        }
        return zip;
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var destination = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, destination);
            // The Linux Functions host starts the handler by its execute bit; Windows has no such bit to keep.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(destination, File.GetUnixFileMode(file));
        }
        foreach (var directory in Directory.EnumerateDirectories(source))
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
    }
}
