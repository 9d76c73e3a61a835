using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The standalone face (`tokenbroker serve`): time from process start to the first answer of GET / and to the first
/// answer of GET /api/health (asked as soon as / answers: the health function reads every queue's depth, so it is the
/// first request that touches the queue store), with the CPU time the process had used by each. Goal: first answer
/// under 300 ms on a quiet machine.
/// Arguments: <c>[--runs N=10] [--warmup N=1] [--trace] [publish-dir ...]</c>. With no folder it runs
/// TOKENBROKER_PUBLISH_DIR, else artifacts/publish. With several, they are started in turn, round after round, so that
/// the load of a shared machine falls on each alike (an A/B comparison); each gets its own figures. --trace sets
/// TOKENBROKER_STARTUP_TRACE=1 and prints the median of each milestone the broker reports (the trace costs a little).
/// Warm-up runs (disk cache, this process's own JIT) are not counted.
/// </summary>
public sealed class StandaloneStartupBenchmark : IBenchmark
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    public string Name => "startup";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = StartupArguments.Parse(args);
        var figures = arguments.Folders.ToDictionary(folder => folder, _ => new Figures());
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        Console.WriteLine($"{arguments.Folders.Count} folder(s), {arguments.Warmup} warm-up + {arguments.Runs} runs each, {Machine.Cores} cores" +
                          (arguments.Trace ? ", TOKENBROKER_STARTUP_TRACE=1" : ""));

        for (var warmup = 0; warmup < arguments.Warmup; warmup++)
        {
            foreach (var folder in arguments.Folders)
                await TimeOneStartAsync(client, folder, arguments.Trace, cancellationToken);
        }

        var loadBefore = Machine.LoadAverage();
        for (var run = 1; run <= arguments.Runs; run++)
        {
            foreach (var folder in arguments.Folders)
            {
                var start = await TimeOneStartAsync(client, folder, arguments.Trace, cancellationToken);
                figures[folder].Add(start);
                Console.WriteLine(FormattableString.Invariant(
                    $"  run {run,2} {folder}: GET / {start.Root,4:F0} ms (CPU {start.RootCpu,4:F0} ms), GET /api/health {start.Health,4:F0} ms (CPU {start.HealthCpu,4:F0} ms)"));
            }
        }
        var loadAfter = Machine.LoadAverage();

        foreach (var folder in arguments.Folders)
        {
            var f = figures[folder];
            Console.WriteLine($"{folder} ({Launch(folder).Describe}), {f.Root.Count} runs:");
            Console.WriteLine($"  process start -> first GET / answer:           {f.Root}   goal < 300 ms");
            Console.WriteLine($"  process start -> first GET /api/health answer: {f.Health}");
            Console.WriteLine($"  CPU time used by the first / answer:           {f.RootCpu}");
            Console.WriteLine($"  CPU time used by the first health answer:      {f.HealthCpu}");
            if (arguments.Trace)
            {
                Console.WriteLine("  start-up trace milestones (ms since process start):");
                f.Milestones.Print("    ");
            }
        }
        Console.WriteLine($"load average (1, 5, 15 min): before {loadBefore}, after {loadAfter}");
    }

    private sealed class Figures
    {
        public Series Root { get; } = new();
        public Series Health { get; } = new();
        public Series RootCpu { get; } = new();
        public Series HealthCpu { get; } = new();
        public StartupTraceMilestones Milestones { get; } = new();

        public void Add(OneStart start)
        {
            Root.Add(start.Root);
            Health.Add(start.Health);
            RootCpu.Add(start.RootCpu);
            HealthCpu.Add(start.HealthCpu);
            Milestones.Add(start.ErrorLines);
        }
    }

    private sealed record OneStart(double Root, double RootCpu, double Health, double HealthCpu, IReadOnlyList<string> ErrorLines);

    /// <summary>How `tokenbroker serve` is started from a folder: its apphost when it has one (as a user starts it), else dotnet.</summary>
    private sealed record Launcher(string FileName, string[] Arguments, string Describe);

    private static Launcher Launch(string folder)
    {
        var apphost = Path.Combine(folder, "tokenbroker");
        return File.Exists(apphost)
            ? new Launcher(apphost, ["serve"], "tokenbroker serve")
            : new Launcher("dotnet", [Path.Combine(folder, "tokenbroker.dll"), "serve"], "dotnet tokenbroker.dll serve");
    }

    private static async Task<OneStart> TimeOneStartAsync(HttpClient client, string folder, bool trace, CancellationToken cancellationToken)
    {
        var port = Machine.FreePort();
        var workingDirectory = Directory.CreateTempSubdirectory("tb-startup-bench-");
        var launcher = Launch(folder);
        var start = new ProcessStartInfo(launcher.FileName, launcher.Arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory.FullName,
        };
        start.Environment["Broker__Urls"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["Broker__DataDirectory"] = Path.Combine(workingDirectory.FullName, "data");
        if (trace)
            start.Environment["TOKENBROKER_STARTUP_TRACE"] = "1";
        var errorLines = new List<string>();

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        // Drained so a chatty start-up can never block on a full pipe; standard error holds the trace.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                lock (errorLines) errorLines.Add(line.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var root = await FirstAnswerAsync(client, process, $"http://127.0.0.1:{port}/", clock, errorLines, cancellationToken);
            var rootCpu = Cpu(process);
            using var health = await client.GetAsync($"http://127.0.0.1:{port}/api/health", cancellationToken);
            var healthElapsed = clock.Elapsed.TotalMilliseconds;
            var healthCpu = Cpu(process);
            if (health.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET /api/health answered {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync(cancellationToken)}");
            // Let the last trace line (first request served) reach us before the process is killed.
            if (trace)
                await Task.Delay(50, cancellationToken);
            lock (errorLines)
                return new OneStart(root, rootCpu, healthElapsed, healthCpu, errorLines.ToList());
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(cancellationToken);
            try
            {
                workingDirectory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder.
            }
        }
    }

    /// <summary>Polls until the first answer (any status), 1 ms apart; a refused connection is the broker not listening yet.</summary>
    private static async Task<double> FirstAnswerAsync(
        HttpClient client, Process process, string url, Stopwatch clock, List<string> errorLines, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                return clock.Elapsed.TotalMilliseconds;
            }
            catch (HttpRequestException) when (!process.HasExited && clock.Elapsed < StartTimeout)
            {
                await Task.Delay(1, cancellationToken);
            }
            catch (HttpRequestException) when (!process.HasExited)
            {
                throw new TimeoutException($"{url} did not answer within {StartTimeout.TotalSeconds:F0} s.");
            }
            catch (HttpRequestException)
            {
                await process.WaitForExitAsync(cancellationToken);
                lock (errorLines)
                    throw new InvalidOperationException($"tokenbroker serve exited with code {process.ExitCode}: {string.Join('\n', errorLines)}");
            }
        }
    }

    private static double Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalMilliseconds;
    }
}
