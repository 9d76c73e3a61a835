namespace TokenBroker.Mail;

/// <summary>
/// A message on the server is larger than the fetch accepts (<c>MaxMessageBytes</c>); it was not read. The same
/// fetch fails again until the limit is raised or the message is removed, so a caller treats it as permanent.
/// </summary>
public sealed class MailMessageTooLargeException(string message, string messageId, long size, long limit) : Exception(message)
{
    /// <summary>The IMAP UID or POP3 UIDL of the message.</summary>
    public string MessageId { get; } = messageId;

    public long Size { get; } = size;

    public long Limit { get; } = limit;
}
