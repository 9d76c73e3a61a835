using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Time from process start to the first answer of GET / — what the Functions host waits for before it sends
/// invocations. Runs the published executable (default artifacts/publish/tokenbroker; first argument overrides).
/// Goal: under 300 ms.
/// </summary>
public sealed class CustomHandlerStartupBenchmark : IBenchmark
{
    public string Name => "startup";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var executable = args.FirstOrDefault() ?? Path.Combine(FindRepository(), "artifacts", "publish", "tokenbroker");
        const int runs = 10;
        var timings = new List<double>();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var run = 0; run < runs; run++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
            start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // A vault URI only has to be well formed for the start: the store is not touched before a request.
            start.Environment["TokenStore__VaultUri"] = "https://startup-benchmark.vault.azure.net/";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync($"http://127.0.0.1:{port}/", cancellationToken);
                    break;
                }
                catch (HttpRequestException) when (!process.HasExited)
                {
                    await Task.Delay(1, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    throw new InvalidOperationException($"The handler exited with code {process.ExitCode}: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
                }
            }
            timings.Add(clock.Elapsed.TotalMilliseconds);
            process.Kill();
            await process.WaitForExitAsync(cancellationToken);
        }
        timings.Sort();
        Console.WriteLine($"start-up to first GET / answer over {runs} runs: median {timings[runs / 2]:F0} ms, best {timings[0]:F0} ms, worst {timings[^1]:F0} ms (goal < 300 ms)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenBroker.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }
}
