using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace TokenBroker.Benchmarks;

/// <summary>The published folders a start-up or size benchmark runs, and where the repository is.</summary>
internal static class PublishedFolders
{
    public const string Variable = "TOKENBROKER_PUBLISH_DIR";

    /// <summary>The folders given, else TOKENBROKER_PUBLISH_DIR, else artifacts/publish; each must hold tokenbroker.dll.</summary>
    public static List<string> Resolve(IEnumerable<string> given)
    {
        var folders = given.Select(Folder).ToList();
        if (folders.Count == 0)
            folders.Add(Folder(Environment.GetEnvironmentVariable(Variable) ?? Path.Combine(RepositoryRoot(), "artifacts", "publish")));
        return folders;
    }

    /// <summary>A publish folder, or the folder of an executable/dll named inside one (the old `startup` took executables).</summary>
    private static string Folder(string path)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        return File.Exists(Path.Combine(folder, "tokenbroker.dll"))
            ? Path.GetFullPath(folder)
            : throw new FileNotFoundException(
                $"No published tokenbroker in '{path}': dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/publish",
                Path.Combine(folder, "tokenbroker.dll"));
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TokenBroker.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Run the benchmark from inside the repository, or give the publish folder.");
    }
}

/// <summary>The arguments the start-up benchmarks share: <c>[--runs N] [--warmup N] [--trace] [publish-dir ...]</c>.</summary>
internal sealed record StartupArguments(int Runs, int Warmup, bool Trace, List<string> Folders)
{
    public static StartupArguments Parse(string[] args, int defaultRuns = 10)
    {
        var runs = defaultRuns;
        var warmup = 1;
        var trace = false;
        var given = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = Count(args, ++i, "--runs", minimum: 1);
                    break;
                case "--warmup":
                    warmup = Count(args, ++i, "--warmup", minimum: 0);
                    break;
                case "--trace":
                    trace = true;
                    break;
                default:
                    given.Add(args[i]);
                    break;
            }
        }
        return new StartupArguments(runs, warmup, trace, PublishedFolders.Resolve(given));
    }

    private static int Count(string[] args, int index, string name, int minimum) =>
        index < args.Length && int.TryParse(args[index], CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{name} takes a whole number of at least {minimum}.");
}

/// <summary>Timings of one kind over several runs: median, best and worst.</summary>
internal sealed class Series
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double value) => _values.Add(value);

    public double Median
    {
        get
        {
            var sorted = _values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    /// <summary>"median 123 ms (min 100, max 150)".</summary>
    public override string ToString() => _values.Count == 0
        ? "no runs"
        : FormattableString.Invariant($"median {Median,5:F0} ms (min {_values.Min(),5:F0}, max {_values.Max(),5:F0})");
}

/// <summary>The state of the shared machine a figure was taken on.</summary>
internal static class Machine
{
    /// <summary>1, 5 and 15 minute load averages (Linux), for every figure: the cores are shared.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static string Cores => Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// CPU time (user + system, all threads) a running process has used, in milliseconds: much less sensitive to the
    /// other processes on the cores than wall-clock time. Null once it is gone.
    /// </summary>
    public static double? CpuMilliseconds(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.TotalProcessorTime.TotalMilliseconds;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// The id of this process's child whose command line contains <paramref name="marker"/> (Linux /proc), for a child
    /// started by code that does not hand out its Process.
    /// </summary>
    public static int? ChildWithArgument(string marker)
    {
        if (!Directory.Exists("/proc"))
            return null;
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] != self)
                    continue;
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}

/// <summary>
/// The milestones TOKENBROKER_STARTUP_TRACE=1 makes the broker print on standard error
/// ("tokenbroker start-up:   123.4 ms since process start: phase"), gathered over runs.
/// </summary>
internal sealed partial class StartupTraceMilestones
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, Series> _phases = new(StringComparer.Ordinal);

    [GeneratedRegex(@"tokenbroker start-up:\s+(?<ms>[0-9.]+) ms since process start: (?<phase>.+)$")]
    private static partial Regex Line();

    /// <summary>Adds the milestones found in one run's output.</summary>
    public void Add(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var match = Line().Match(line);
            if (!match.Success)
                continue;
            // "first request served (/)" and "(/api/health)" differ by path only: one phase.
            var phase = match.Groups["phase"].Value.Trim();
            if (!_phases.TryGetValue(phase, out var series))
            {
                _phases[phase] = series = new Series();
                _order.Add(phase);
            }
            series.Add(double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture));
        }
    }

    public void Print(string indent)
    {
        if (_order.Count == 0)
        {
            Console.WriteLine($"{indent}(no start-up trace lines: does this build print TOKENBROKER_STARTUP_TRACE milestones?)");
            return;
        }
        foreach (var phase in _order.OrderBy(phase => _phases[phase].Median))
            Console.WriteLine($"{indent}{phase,-40} {_phases[phase]}  [{_phases[phase].Count} runs]");
    }
}
