using TokenBroker.Store;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// What the mail worker must remember across crashes and redeliveries: which idempotency keys were already sent
/// (so a redelivered send is not sent twice), which were about to be committed when the worker stopped (in doubt),
/// and where each fetch stopped (so nothing is delivered twice or skipped).
/// Mailboxes compare case-insensitively; idempotency keys and folder names case-sensitively (INBOX excepted).
/// </summary>
public interface IMailLedger
{
    /// <summary>The record of the first send of <paramref name="idempotencyKey"/> from <paramref name="mailbox"/>, or null.</summary>
    Task<SentRecord?> FindSentAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Records a send. The first writer wins: when the key is already recorded, this call changes nothing.</summary>
    Task RecordSentAsync(string mailbox, string idempotencyKey, SentRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that a send of <paramref name="idempotencyKey"/> is about to be committed. Replaces an earlier attempt
    /// of the same key (the newest one says when the server may last have accepted it).
    /// </summary>
    Task RecordAttemptAsync(string mailbox, string idempotencyKey, SendAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the attempt of <paramref name="idempotencyKey"/>, if any: the server refused it, so it is no longer in doubt.
    /// </summary>
    Task ForgetAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>The newest attempt recorded for <paramref name="idempotencyKey"/>, or null.</summary>
    Task<SendAttempt?> FindAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>The checkpoint of a mailbox's folder over a protocol ("imap" or "pop3"), with its version, or null.</summary>
    Task<Versioned<FetchCheckpoint>?> GetCheckpointAsync(string mailbox, string protocol, string folder, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the checkpoint if the stored one is still at <paramref name="expectedVersion"/> (null: none may exist yet)
    /// and returns it with its new version.
    /// </summary>
    /// <exception cref="StoreConcurrencyException">Someone else saved since; nothing was written.</exception>
    Task<Versioned<FetchCheckpoint>> SaveCheckpointAsync(string mailbox, string protocol, string folder, FetchCheckpoint checkpoint,
        string? expectedVersion, CancellationToken cancellationToken = default);
}
