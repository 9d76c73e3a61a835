namespace TokenBroker.Mail.Pop3;

/// <summary>Turns an -ERR reply into the exception a caller catches (the one place this happens).</summary>
internal static class Pop3Errors
{
    public static MailCommandException CommandFailed(string command, string reply)
    {
        if (MailThrottledException.TryParseBackoff(reply, out var backoff))
            return new MailThrottledException($"POP3 {command} was throttled, retry after {backoff.TotalMilliseconds:0} ms: {reply}", reply, backoff);
        return new MailCommandException($"POP3 {command} failed: {Pop3Client.Shorten(reply)}", reply);
    }
}
