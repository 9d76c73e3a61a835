using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;

namespace TokenBroker.Benchmarks;

/// <summary>
/// What is deployed: the size and file count of the publish folder, and of the folder and zip that
/// <c>dotnet tokenbroker.dll package DIR</c> writes from it (DIR and DIR.zip, in a temp folder), with the time the
/// command took and the largest files. Arguments: <c>[publish-dir ...]</c> (TOKENBROKER_PUBLISH_DIR, else
/// artifacts/publish), e.g. a framework-dependent and a self-contained publish side by side.
/// </summary>
public sealed class PackageSizeBenchmark : IBenchmark
{
    private const int LargestShown = 5;
    private const string SelfContained = "self-contained";

    public string Name => "package-size";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        foreach (var folder in PublishedFolders.Resolve(args))
        {
            var published = Measure(folder);
            Console.WriteLine($"{folder}:");
            Console.WriteLine($"  publish folder: {Size(published.Bytes)} in {published.Files} files " +
                              $"({published.Runtime}; largest: {string.Join(", ", published.Largest.Select(file => $"{file.Name} {file.Bytes / 1024.0 / 1024.0:F1} MiB"))})");

            var temp = Directory.CreateTempSubdirectory("tb-package-size-");
            try
            {
                var target = Path.Combine(temp.FullName, "package");
                var loadBefore = Machine.LoadAverage();
                var clock = Stopwatch.StartNew();
                // As the docs say to run it; a self-contained folder is run by its own apphost (it has no shared framework to use).
                var (exitCode, output, error) = published.Runtime == SelfContained
                    ? await RunAsync(Path.Combine(folder, "tokenbroker"), ["package", target], temp.FullName, cancellationToken)
                    : await RunAsync("dotnet", [Path.Combine(folder, "tokenbroker.dll"), "package", target], temp.FullName, cancellationToken);
                clock.Stop();
                if (exitCode != 0)
                    throw new InvalidOperationException($"tokenbroker package exited with code {exitCode}: {error}{output}");
                var package = Measure(target);
                var zip = new FileInfo(target + ".zip");
                int entries;
                using (var archive = ZipFile.OpenRead(zip.FullName))
                    entries = archive.Entries.Count(entry => !entry.FullName.EndsWith('/'));
                Console.WriteLine($"  package folder: {Size(package.Bytes)} in {package.Files} files (with local.settings.json)");
                Console.WriteLine(FormattableString.Invariant(
                    $"  package zip:    {Size(zip.Length)}, {entries} entries ({100.0 * zip.Length / package.Bytes:F0}% of the folder)"));
                Console.WriteLine(FormattableString.Invariant(
                    $"  `tokenbroker package` took {clock.Elapsed.TotalMilliseconds:F0} ms (load average before {loadBefore}, after {Machine.LoadAverage()})"));
            }
            finally
            {
                temp.Delete(recursive: true);
            }
        }
    }

    private sealed record FolderSize(long Bytes, int Files, string Runtime, IReadOnlyList<(string Name, long Bytes)> Largest);

    private static FolderSize Measure(string folder)
    {
        var files = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
        // A self-contained publish carries the runtime (libcoreclr.so); a framework-dependent one uses the installed one.
        var runtime = files.Any(file => file.Name is "libcoreclr.so" or "coreclr.dll" or "libcoreclr.dylib") ? SelfContained : "framework-dependent";
        return new FolderSize(
            files.Sum(file => file.Length),
            files.Count,
            runtime,
            files.OrderByDescending(file => file.Length).Take(LargestShown).Select(file => (Path.GetRelativePath(folder, file.FullName), file.Length)).ToList());
    }

    /// <summary>MiB (what du -h calls M), and MB for the large figures, which earlier notes gave loosely.</summary>
    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? FormattableString.Invariant($"{bytes / 1024.0 / 1024.0:F1} MiB = {bytes / 1e6:F1} MB")
        : FormattableString.Invariant($"{bytes / 1024.0:F0} KiB");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string fileName, string[] arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
