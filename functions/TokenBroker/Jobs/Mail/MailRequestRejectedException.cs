namespace TokenBroker.Jobs.Mail;

/// <summary>
/// A request that will fail the same way however often it is retried (unknown mailbox, consent needed, SMTP 5xx, …).
/// The worker turns it into a mail.failed event and a copy on the poison output, and completes normally.
/// </summary>
public sealed class MailRequestRejectedException(string reason, Exception? innerException = null) : Exception(reason, innerException)
{
    public string Reason => Message;
}
