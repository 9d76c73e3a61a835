using TokenBroker.Jobs.Ledger;
using TokenBroker.Store;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>
/// A real ledger that can be told to lose sent records, as a worker killed right after the server's 250 does: the
/// message is at the server, the attempt is recorded, the sent record never is.
/// </summary>
internal sealed class InterruptibleLedger(IMailLedger inner) : IMailLedger
{
    public bool LoseSentRecords { get; set; }

    public IMailLedger Inner => inner;

    public Task<SentRecord?> FindSentAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.FindSentAsync(mailbox, idempotencyKey, cancellationToken);

    public Task RecordSentAsync(string mailbox, string idempotencyKey, SentRecord record, CancellationToken cancellationToken = default) =>
        LoseSentRecords
            ? throw new IOException("The worker stopped before the sent record was written (simulated).")
            : inner.RecordSentAsync(mailbox, idempotencyKey, record, cancellationToken);

    public Task RecordAttemptAsync(string mailbox, string idempotencyKey, SendAttempt attempt, CancellationToken cancellationToken = default) =>
        inner.RecordAttemptAsync(mailbox, idempotencyKey, attempt, cancellationToken);

    public Task<SendAttempt?> FindAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.FindAttemptAsync(mailbox, idempotencyKey, cancellationToken);

    public Task<Versioned<FetchCheckpoint>?> GetCheckpointAsync(string mailbox, string protocol, string folder, CancellationToken cancellationToken = default) =>
        inner.GetCheckpointAsync(mailbox, protocol, folder, cancellationToken);

    public Task<Versioned<FetchCheckpoint>> SaveCheckpointAsync(string mailbox, string protocol, string folder, FetchCheckpoint checkpoint,
        string? expectedVersion, CancellationToken cancellationToken = default) =>
        inner.SaveCheckpointAsync(mailbox, protocol, folder, checkpoint, expectedVersion, cancellationToken);
}
