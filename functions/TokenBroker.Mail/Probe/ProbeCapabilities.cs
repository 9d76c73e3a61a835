using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Probe;

/// <summary>The capabilities exactly as the server listed them, read from its lines (the last list wins):
/// IMAP "* CAPABILITY …" or "[CAPABILITY …]", POP3's CAPA lines, SMTP's EHLO keywords.</summary>
internal static class ProbeCapabilities
{
    public static IReadOnlyCollection<string>? From(MailProtocol protocol, IReadOnlyList<string> serverLines) => protocol switch
    {
        MailProtocol.Imap => Imap(serverLines),
        MailProtocol.Pop3 => Pop3(serverLines),
        _ => Smtp(serverLines),
    };

    private static string[]? Imap(IReadOnlyList<string> lines)
    {
        string[]? found = null;
        foreach (var line in lines)
        {
            var start = line.IndexOf("CAPABILITY ", StringComparison.OrdinalIgnoreCase);
            if (start < 0 || !(line.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase) || line.Contains("[CAPABILITY ", StringComparison.OrdinalIgnoreCase)))
                continue;
            var list = line[(start + "CAPABILITY ".Length)..];
            var end = list.IndexOf(']');
            found = (end >= 0 ? list[..end] : list).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        return found;
    }

    // "+OK" then one capability per line up to ".": the last such block.
    private static string[]? Pop3(IReadOnlyList<string> lines)
    {
        string[]? found = null;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith("+OK", StringComparison.OrdinalIgnoreCase)) continue;
            var end = i + 1;
            while (end < lines.Count && lines[end] != "." && !lines[end].StartsWith('+') && !lines[end].StartsWith('-')) end++;
            if (end < lines.Count && lines[end] == "." && end > i + 1)
                found = lines.Skip(i + 1).Take(end - i - 1).ToArray();
        }
        return found;
    }

    // "250-host", "250-KEYWORD params", …, "250 LAST": the keywords of the last EHLO reply.
    private static string[]? Smtp(IReadOnlyList<string> lines)
    {
        string[]? found = null;
        var current = new List<string>();
        foreach (var line in lines)
        {
            if (!line.StartsWith("250", StringComparison.Ordinal) || line.Length < 4) { current.Clear(); continue; }
            current.Add(line[4..]);
            if (line[3] == ' ')
            {
                if (current.Count > 1) found = current.Skip(1).ToArray();
                current.Clear();
            }
        }
        return found;
    }
}
