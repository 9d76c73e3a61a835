using System.Diagnostics;

namespace TokenBroker.Hosting.Diagnostics;

/// <summary>
/// Opt-in timestamps of the start-up phases (TOKENBROKER_STARTUP_TRACE=1), written to standard error, for an operator
/// chasing a slow cold start: the Functions host waits for the first answer to GET / before it sends work.
/// Off, it costs one environment lookup.
/// </summary>
public static class StartupTrace
{
    public const string Variable = "TOKENBROKER_STARTUP_TRACE";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) is "1" or "true";
    private static readonly long MainEnteredTimestamp = Stopwatch.GetTimestamp();
    // The kernel records the process start in clock ticks (10 ms here), so phases are timed from Main with the
    // high-resolution clock and only the offset of Main itself carries that coarseness.
    private static readonly double MainOffsetMilliseconds = Enabled ? MillisecondsFromProcessStartToNow() : 0;
    private static int _firstRequestServed;

    public static bool IsEnabled => Enabled;

    /// <summary>Records a phase; the first call also fixes the time Main was entered.</summary>
    public static void Mark(string phase)
    {
        if (!Enabled) return;
        var sinceMain = Stopwatch.GetElapsedTime(MainEnteredTimestamp).TotalMilliseconds;
        Console.Error.WriteLine($"tokenbroker start-up: {MainOffsetMilliseconds + sinceMain,7:F1} ms since process start: {phase}");
    }

    /// <summary>Records the first served request once, whichever request it is.</summary>
    public static void MarkFirstRequestServed(string path)
    {
        if (Interlocked.Exchange(ref _firstRequestServed, 1) == 0)
            Mark($"first request served ({path})");
    }

    private static double MillisecondsFromProcessStartToNow()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalMilliseconds;
    }
}
