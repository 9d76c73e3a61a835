namespace TokenBroker.Mail.Imap;

/// <summary>Turns a failed completion into the exception a caller catches (the one place this happens).</summary>
internal static class ImapErrors
{
    public static MailCommandException CommandFailed(string command, ImapStatusResponse completion)
    {
        var reply = completion.ToString();
        if (MailThrottledException.TryParseBackoff(completion.Text, out var backoff))
            return new MailThrottledException($"IMAP {command} was throttled, retry after {backoff.TotalMilliseconds:0} ms: {reply}", reply, backoff);
        return new MailCommandException($"IMAP {command} failed: {reply}", reply);
    }
}
