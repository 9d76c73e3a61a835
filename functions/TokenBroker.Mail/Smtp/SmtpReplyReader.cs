using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>Reads and validates one (possibly multi-line) SMTP reply. Anything that is not a well-formed
/// reply breaks the connection with a <see cref="MailProtocolException"/> carrying the offending line.</summary>
internal static class SmtpReplyReader
{
    /// <summary>More lines than any real EHLO sends; a server streaming endless continuation lines is broken.</summary>
    private const int MaxLines = 500;

    public static async Task<SmtpReply> ReadAsync(MailConnection connection, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var code = 0;
        string? enhancedStatus = null;
        while (true)
        {
            var line = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (!TryParseLine(line, out var lineCode, out var isLast, out var text))
                throw await BreakAsync(connection, "the server sent a malformed SMTP reply line", line).ConfigureAwait(false);
            if (lines.Count == 0)
            {
                code = lineCode;
                enhancedStatus = TryTakeEnhancedStatus(code, ref text);
            }
            else if (lineCode != code)
            {
                throw await BreakAsync(connection, $"the server changed the reply code from {code} to {lineCode} within one reply", line).ConfigureAwait(false);
            }
            else if (enhancedStatus is not null && text.StartsWith(enhancedStatus, StringComparison.Ordinal))
            {
                TryTakeEnhancedStatus(code, ref text);
            }
            lines.Add(text);
            if (isLast)
                return new SmtpReply(code, enhancedStatus, lines);
            if (lines.Count >= MaxLines)
                throw await BreakAsync(connection, $"the server sent a reply of more than {MaxLines} lines", line).ConfigureAwait(false);
        }
    }

    /// <summary>"250-text", "250 text" or "250": a code 200–599, then '-' (more lines follow), ' ' or nothing.</summary>
    public static bool TryParseLine(string line, out int code, out bool isLast, out string text)
    {
        code = 0;
        isLast = true;
        text = "";
        if (line.Length < 3 || line[0] is < '2' or > '5' || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
            return false;
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (line.Length == 3)
            return true;
        if (line[3] is not (' ' or '-'))
            return false;
        isLast = line[3] == ' ';
        text = line[4..];
        return true;
    }

    /// <summary>Takes "x.y.z " off the text when x matches the reply's class (RFC 3463 §2; 1–3 digits each).</summary>
    private static string? TryTakeEnhancedStatus(int code, ref string text)
    {
        var span = text.AsSpan();
        if (span.Length < 5 || span[0] != (char)('0' + code / 100) || span[1] != '.')
            return null;
        var position = 2;
        if (!TakeDigits(span, ref position) || position >= span.Length || span[position] != '.')
            return null;
        position++;
        if (!TakeDigits(span, ref position) || (position < span.Length && span[position] != ' '))
            return null;
        var status = text[..position];
        text = position < text.Length ? text[(position + 1)..] : "";
        return status;
    }

    private static bool TakeDigits(ReadOnlySpan<char> span, ref int position)
    {
        var start = position;
        while (position < span.Length && position - start < 3 && char.IsAsciiDigit(span[position]))
            position++;
        return position > start && (position >= span.Length || !char.IsAsciiDigit(span[position]));
    }

    private static async Task<MailProtocolException> BreakAsync(MailConnection connection, string reason, string line)
    {
        await connection.DisposeAsync().ConfigureAwait(false);
        return new MailProtocolException($"{char.ToUpperInvariant(reason[0])}{reason[1..]}.", line);
    }
}
