namespace TokenBroker.Jobs.Status;

/// <summary>The human form of a <see cref="StatusReport"/>: one row per mailbox, then the details that do not fit a row.</summary>
public static class StatusTable
{
    public static void Write(TextWriter output, StatusReport report, DateTimeOffset now)
    {
        if (report.SignInProblems is { Count: > 0 } problems)
        {
            output.WriteLine("Sign-in is not configured, so no mailbox can be connected or re-consented:");
            foreach (var problem in problems) output.WriteLine("  " + problem);
        }
        if (report.Mailboxes.Count == 0)
        {
            output.WriteLine("No mailboxes are registered.");
            BridgeStatusTable.Write(output, report, now);
            return;
        }
        string[] header = ["MAILBOX", "STATE", "TOKEN EXPIRES", "LAST REFRESH", "SCOPES", "SENDING"];
        var rows = report.Mailboxes.Select(m => new[]
        {
            m.Address,
            m.State,
            Relative(m.AccessTokenExpiresAt, now),
            Relative(m.LastRefreshAt, now),
            m.MissingScopes.Count == 0 ? "ok" : "missing " + string.Join(", ", m.MissingScopes),
            Sending(m.Sending, now),
        }).ToList();
        WriteTable(output, "", header, rows);

        foreach (var mailbox in report.Mailboxes.Where(m => m.Reason is not null || m.LastError is not null || m.ReconsentUrl is not null || m.Sending?.BackedOffUntil is not null))
        {
            output.WriteLine();
            output.WriteLine($"{mailbox.Address} ({mailbox.State}):");
            if (mailbox.Reason is not null) output.WriteLine($"  reason:      {mailbox.Reason}");
            if (mailbox.LastError is not null && mailbox.LastError != mailbox.Reason) output.WriteLine($"  last error:  {mailbox.LastError}");
            output.WriteLine($"  scopes:      granted {Join(mailbox.GrantedScopes)}; required {Join(mailbox.RequiredScopes)}");
            if (mailbox.ReconsentUrl is not null) output.WriteLine($"  re-consent:  {mailbox.ReconsentUrl}");
            if (mailbox.Sending is { BackedOffUntil: { } until } sending) output.WriteLine($"  backed off:  until {Relative(until, now)}: {sending.BackOffReason}");
        }
        BridgeStatusTable.Write(output, report, now);
    }

    // Over every instance: connections open, messages in the current window, recipients in the last 24 hours.
    private static string Sending(SendingStatus? sending, DateTimeOffset now) => sending is null ? "-"
        : $"{sending.ConnectionsInUse}/{sending.MaxConnections} conn, {sending.MessagesInWindow}/{sending.MessagesPerWindow} msgs, {sending.RecipientsToday}/{sending.RecipientsPerDay} rcpts today"
          + (sending.BackedOffUntil is not null && sending.BackedOffUntil > now ? ", backed off" : "");

    private static string Join(IReadOnlyList<string> scopes) => scopes.Count == 0 ? "(none)" : string.Join(", ", scopes);

    /// <summary>A header and rows in columns as wide as their widest cell, each line starting with <paramref name="indent"/>.</summary>
    internal static void WriteTable(TextWriter output, string indent, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Select(r => r[i].Length).Append(header[i].Length).Max()).ToArray();
        string Line(string[] cells) => indent + string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd();
        output.WriteLine(Line(header));
        foreach (var row in rows) output.WriteLine(Line(row));
    }

    internal static string Relative(DateTimeOffset? at, DateTimeOffset now)
    {
        if (at is not { } value) return "-";
        var delta = value - now;
        var span = delta.Duration();
        var amount = span.TotalDays >= 1 ? $"{(int)span.TotalDays}d{span.Hours}h" : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes}m" : $"{(int)span.TotalMinutes}m";
        return $"{value.UtcDateTime:yyyy-MM-dd HH:mm}Z ({(delta >= TimeSpan.Zero ? "in " + amount : amount + " ago")})";
    }
}
