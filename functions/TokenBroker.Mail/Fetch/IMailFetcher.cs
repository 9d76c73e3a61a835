namespace TokenBroker.Mail.Fetch;

/// <summary>Called with each message; the checkpoint moves past the message only after this returns.</summary>
public delegate ValueTask MailHandler(FetchedMail mail, CancellationToken cancellationToken);

/// <summary>Called with the advanced checkpoint after each delivered message: persist it here to resume after a crash.</summary>
public delegate ValueTask CheckpointHandler(MailCheckpoint checkpoint, CancellationToken cancellationToken);

/// <summary>
/// Fetches the messages that arrived since a checkpoint. A crash loses nothing: the checkpoint passes a
/// message only after <see cref="MailHandler"/> returned for it, so at most the message in flight is
/// delivered twice.
/// </summary>
public interface IMailFetcher
{
    Task<MailFetchResult> FetchAsync(
        MailCheckpoint? checkpoint,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint = null,
        CancellationToken cancellationToken = default);
}
