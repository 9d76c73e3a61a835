using TokenBroker.Bridge;

namespace TokenBroker.Jobs.Status;

/// <summary>The bridges' part of `tokenbroker status`: per bridge, one row per app, mailbox and protocol.</summary>
public static class BridgeStatusTable
{
    private static readonly string[] Header = ["APP", "MAILBOX", "PROTOCOL", "SESSIONS", "MESSAGES", "REFUSALS"];

    public static void Write(TextWriter output, StatusReport report, DateTimeOffset now)
    {
        if (report.Bridge is { Counters.Count: > 0 } local)
            Write(output, $"Bridge on the broker's machine, counters written {StatusTable.Relative(local.At, now)}:", local.Counters);
        foreach (var remote in report.RemoteBridges ?? [])
            Write(output, $"Bridge '{remote.Name}', reported {StatusTable.Relative(remote.At, now)}:", remote.Counters);
    }

    private static void Write(TextWriter output, string title, IReadOnlyList<BridgeCounters> counters)
    {
        output.WriteLine();
        output.WriteLine(title);
        StatusTable.WriteTable(output, "  ", Header,
            counters.Select(c => new[] { c.App, c.Mailbox, c.Protocol, Count(c.Sessions), Count(c.Messages), Count(c.Refusals) }).ToList());
    }

    private static string Count(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
