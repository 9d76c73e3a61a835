namespace TokenBroker.Mail.Fetch;

/// <summary>What a fetch run did.</summary>
public sealed record MailFetchResult(
    MailCheckpoint Checkpoint,
    int DeliveredCount,
    long DeliveredBytes,
    int RemainingCount,
    bool UidValidityChanged,
    uint? PreviousUidValidity)
{
    /// <summary>A one-line summary for logs and the CLI.</summary>
    public override string ToString() =>
        $"{DeliveredCount} message(s), {DeliveredBytes} bytes delivered; {RemainingCount} more waiting"
        + (UidValidityChanged ? $"; UIDVALIDITY changed (was {PreviousUidValidity})" : "");
}
