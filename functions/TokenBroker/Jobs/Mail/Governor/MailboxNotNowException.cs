namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// The mailbox may not send now (its limits are spent or the server throttles it), nothing was sent: the request waits
/// (the worker puts it back on the queue to be seen again after <see cref="RetryAfter"/>) instead of failing.
/// </summary>
public abstract class MailboxNotNowException(string mailbox, string message, TimeSpan retryAfter) : Exception(message)
{
    public string Mailbox { get; } = mailbox;

    /// <summary>When a new try can first succeed, as far as the governor knows.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
