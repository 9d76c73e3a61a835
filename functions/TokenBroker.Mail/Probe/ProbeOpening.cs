using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// MailKit opens a connection in one call (greeting, capabilities, STARTTLS/STLS, capabilities again).
/// The probe still reports those as separate steps: this splits the opening's dialogue at the commands
/// the client sent, so each step shows exactly what the server answered to it, and the step in progress
/// when the opening failed is the failed one.
/// </summary>
internal static class ProbeOpening
{
    public static void Record(MailProbeResult result, MailEndpoint endpoint, IReadOnlyList<(MailLogDirection Direction, string Line)> dialogue, string? error)
    {
        var phases = new List<(string Name, List<string> ServerLines)> { ("connect", []) };
        foreach (var (direction, line) in dialogue)
        {
            if (direction == MailLogDirection.Client)
            {
                if (PhaseName(endpoint.Protocol, Command(line), phases[^1].Name) is { } name)
                    phases.Add((name, []));
                continue;
            }
            phases[^1].ServerLines.Add(direction == MailLogDirection.Server ? line : "* " + line);
        }
        for (var i = 0; i < phases.Count; i++)
        {
            var failed = error is not null && i == phases.Count - 1;
            result.Steps.Add(new MailProbeStep(phases[i].Name, !failed, phases[i].ServerLines, failed ? error : null));
        }
        var (before, after) = SplitAtTls(phases);
        if (endpoint.Security == MailSecurity.StartTls && before.Count > 0)
            result.CapabilitiesBeforeTls = ProbeCapabilities.From(endpoint.Protocol, before);
        if (error is null)
            result.CapabilitiesAfterTls = ProbeCapabilities.From(endpoint.Protocol, after);
    }

    // IMAP commands carry a tag; POP3 and SMTP commands are the first word.
    private static string Command(string line)
    {
        var words = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        return words.Length > 1 && words[0].Length > 1 && char.IsLetter(words[0][0]) && words[0][1..].All(char.IsAsciiDigit)
            ? words[1].ToUpperInvariant()
            : words[0].ToUpperInvariant();
    }

    /// <summary>The step a client command starts, or null when it continues the current one (the capabilities asked again after TLS).</summary>
    private static string? PhaseName(MailProtocol protocol, string command, string current) => (protocol, command) switch
    {
        (MailProtocol.Imap, "CAPABILITY") => current.StartsWith("STARTTLS", StringComparison.Ordinal) ? null : "CAPABILITY",
        (MailProtocol.Imap, "STARTTLS") => "STARTTLS, then CAPABILITY",
        (MailProtocol.Pop3, "CAPA") => current.StartsWith("STLS", StringComparison.Ordinal) ? null : "CAPA",
        (MailProtocol.Pop3, "STLS") => "STLS, then CAPA",
        (MailProtocol.Smtp, "EHLO" or "HELO") => current.StartsWith("STARTTLS", StringComparison.Ordinal) ? null : command,
        (MailProtocol.Smtp, "STARTTLS") => "STARTTLS, then EHLO",
        _ => null,
    };

    private static (List<string> Before, List<string> After) SplitAtTls(List<(string Name, List<string> ServerLines)> phases)
    {
        var tls = phases.FindIndex(p => p.Name.StartsWith("STARTTLS", StringComparison.Ordinal) || p.Name.StartsWith("STLS", StringComparison.Ordinal));
        return tls < 0
            ? ([], phases.SelectMany(p => p.ServerLines).ToList())
            : (phases.Take(tls).SelectMany(p => p.ServerLines).ToList(), phases[tls].ServerLines);
    }
}
