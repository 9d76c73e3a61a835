using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Time from process start to the first answer of GET / — what the Functions host waits for before it sends
/// invocations. Goal: under 300 ms.
/// Arguments: <c>[--runs N] [executable-or-publish-dir ...]</c>. With none, it runs TOKENBROKER_PUBLISH_DIR's
/// executable, else artifacts/publish/tokenbroker. With several, they are started in turn, round after round, so
/// that the load of a shared machine falls on each alike (an A/B comparison); each gets its own figures.
/// </summary>
public sealed class CustomHandlerStartupBenchmark : IBenchmark
{
    private const int DefaultRuns = 10;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public string Name => "startup";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var (runs, executables) = ParseArguments(args);
        var loadBefore = LoadAverage();
        var timings = executables.ToDictionary(e => e, _ => new List<double>());
        var cpuTimes = executables.ToDictionary(e => e, _ => new List<double>());
        var invocationTimings = executables.ToDictionary(e => e, _ => new List<double>());
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var run = 0; run < runs; run++)
        {
            foreach (var executable in executables)
            {
                var (elapsed, cpu, invocation) = await TimeFirstAnswerAsync(client, executable, cancellationToken);
                timings[executable].Add(elapsed);
                cpuTimes[executable].Add(cpu);
                invocationTimings[executable].Add(invocation);
            }
        }
        foreach (var executable in executables)
        {
            var sorted = timings[executable].Order().ToList();
            Console.WriteLine($"{executable}: start-up to first GET / answer over {runs} runs: median {Median(sorted):F0} ms, " +
                $"best {sorted[0]:F0} ms, worst {sorted[^1]:F0} ms (goal < 300 ms); CPU time used by then: median {Median(cpuTimes[executable].Order().ToList()):F0} ms; " +
                $"first invocation answered: median {Median(invocationTimings[executable].Order().ToList()):F0} ms");
        }
        Console.WriteLine($"load average (1, 5, 15 min): before {loadBefore}, after {LoadAverage()}");
    }

    /// <summary>
    /// Wall-clock time to the first answer; the CPU time the process had used by then (user + system, all threads),
    /// much less sensitive to other processes sharing the cores; and the time to the answer of a first invocation
    /// sent right after (to a function that does not exist: routing, the invocation endpoint, a 404), which shows
    /// what work the process still had to do before it could serve the host.
    /// </summary>
    private static async Task<(double Elapsed, double CpuMilliseconds, double FirstInvocation)> TimeFirstAnswerAsync(HttpClient client, string executable, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        // A vault URI only has to be well formed for the start: the store is not touched before a request.
        start.Environment["TokenStore__VaultUri"] = "https://startup-benchmark.vault.azure.net/";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        // Drained so a chatty start-up can never block on a full pipe.
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync($"http://127.0.0.1:{port}/", cancellationToken);
                    var elapsed = clock.Elapsed.TotalMilliseconds;
                    process.Refresh();
                    var cpu = process.TotalProcessorTime.TotalMilliseconds;
                    using var invocation = await client.PostAsync($"http://127.0.0.1:{port}/StartupBenchmarkProbe",
                        new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), cancellationToken);
                    if (invocation.StatusCode != HttpStatusCode.NotFound)
                        throw new InvalidOperationException($"The probe invocation answered {(int)invocation.StatusCode}, not 404 (no such function).");
                    return (elapsed, cpu, clock.Elapsed.TotalMilliseconds);
                }
                catch (HttpRequestException) when (!process.HasExited && clock.Elapsed < StartTimeout)
                {
                    await Task.Delay(1, cancellationToken);
                }
                catch (HttpRequestException) when (!process.HasExited)
                {
                    throw new TimeoutException($"{executable} did not answer GET / within {StartTimeout.TotalSeconds:F0} s.");
                }
                catch (HttpRequestException)
                {
                    throw new InvalidOperationException($"{executable} exited with code {process.ExitCode}: {await error}");
                }
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(output, error);
        }
    }

    private static (int Runs, List<string> Executables) ParseArguments(string[] args)
    {
        var runs = DefaultRuns;
        var executables = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--runs")
            {
                if (i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out runs) || runs < 1)
                    throw new ArgumentException("--runs takes a positive number of rounds.");
                i++;
            }
            else
            {
                executables.Add(ExecutableIn(args[i]));
            }
        }
        if (executables.Count == 0)
        {
            var publishDirectory = Environment.GetEnvironmentVariable("TOKENBROKER_PUBLISH_DIR")
                ?? Path.Combine(FindRepository(), "artifacts", "publish");
            executables.Add(ExecutableIn(publishDirectory));
        }
        return (runs, executables);
    }

    private static string ExecutableIn(string path)
    {
        var executable = Directory.Exists(path) ? Path.Combine(path, "tokenbroker") : path;
        return File.Exists(executable) ? Path.GetFullPath(executable) : throw new FileNotFoundException($"No published tokenbroker at '{path}'.", executable);
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

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
