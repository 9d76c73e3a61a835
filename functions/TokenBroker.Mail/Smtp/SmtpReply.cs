namespace TokenBroker.Mail.Smtp;

/// <summary>
/// One SMTP reply (RFC 5321 §4.2): a three-digit code, the enhanced status code when the server uses
/// them (RFC 3463, e.g. "5.7.3"), and the text of every line with code and enhanced status removed.
/// </summary>
public sealed record SmtpReply(int Code, string? EnhancedStatus, IReadOnlyList<string> Lines)
{
    /// <summary>2xx: the command succeeded.</summary>
    public bool IsSuccess => Code is >= 200 and < 300;

    /// <summary>3xx: the server waits for more (354 after DATA, 334 during AUTH).</summary>
    public bool IsIntermediate => Code is >= 300 and < 400;

    /// <summary>4xx: a temporary failure; the same command may work later.</summary>
    public bool IsTransient => Code is >= 400 and < 500;

    /// <summary>The text of all lines joined by spaces.</summary>
    public string Text => string.Join(" ", Lines);

    /// <summary>The reply as the server would have written its last line, e.g. "535 5.7.8 Authentication failed.".</summary>
    public override string ToString() =>
        string.Join("\n", Lines.Select((line, i) =>
            $"{Code}{(i == Lines.Count - 1 ? ' ' : '-')}{(EnhancedStatus is null ? "" : EnhancedStatus + " ")}{line}".TrimEnd()));
}
