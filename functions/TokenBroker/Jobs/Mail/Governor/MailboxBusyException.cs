using TokenBroker.Jobs.Mail.Governor.Shared;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>The mailbox had no turn within MaxWait (its limits are saturated or the server throttles it): the request waits on the queue.</summary>
public sealed class MailboxBusyException(string mailbox, string message, TimeSpan retryAfter) : MailboxNotNowException(mailbox, message, retryAfter)
{
    internal static MailboxBusyException For(string mailbox, Admission admission, MailGovernorOptions options) => new(mailbox, admission.Result switch
    {
        AdmissionResult.BackedOff => $"{mailbox} is backed off until the server's throttling passes ({admission.Reason}); that is longer than {options.MaxWait} ({MailGovernorOptions.Section}:MaxWait), so the message goes back to the queue and is retried.",
        _ => $"{mailbox} has sent its {options.MessagesPerMinute} messages per {options.Window} (setting {MailGovernorOptions.Section}:MessagesPerMinute) and its turn is more than {options.MaxWait} away; the message goes back to the queue and is retried.",
    }, admission.RetryAfter);
}
