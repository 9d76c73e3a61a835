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
            if (!SmtpReplyText.TryParseLine(line, out var lineCode, out var isLast, out var text))
                throw await BreakAsync(connection, "the server sent a malformed SMTP reply line", line).ConfigureAwait(false);
            if (lines.Count == 0)
            {
                code = lineCode;
                enhancedStatus = SmtpReplyText.TryTakeEnhancedStatus(code, ref text);
            }
            else if (lineCode != code)
            {
                throw await BreakAsync(connection, $"the server changed the reply code from {code} to {lineCode} within one reply", line).ConfigureAwait(false);
            }
            else if (enhancedStatus is not null && text.StartsWith(enhancedStatus, StringComparison.Ordinal))
            {
                SmtpReplyText.TryTakeEnhancedStatus(code, ref text);
            }
            lines.Add(text);
            if (isLast)
                return new SmtpReply(code, enhancedStatus, lines);
            if (lines.Count >= MaxLines)
                throw await BreakAsync(connection, $"the server sent a reply of more than {MaxLines} lines", line).ConfigureAwait(false);
        }
    }

    private static async Task<MailProtocolException> BreakAsync(MailConnection connection, string reason, string line)
    {
        await connection.DisposeAsync().ConfigureAwait(false);
        return new MailProtocolException($"{char.ToUpperInvariant(reason[0])}{reason[1..]}.", line);
    }
}
