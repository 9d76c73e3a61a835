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

    /// <summary>Stop right after the attempt is recorded, as a worker killed before the SMTP transaction started does.</summary>
    public bool StopAfterAttempt { get; set; }

    public IMailLedger Inner => inner;

    public Task<SentRecord?> FindSentAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.FindSentAsync(mailbox, idempotencyKey, cancellationToken);

    public Task RecordSentAsync(string mailbox, string idempotencyKey, SentRecord record, CancellationToken cancellationToken = default) =>
        LoseSentRecords
            ? throw new IOException("The worker stopped before the sent record was written (simulated).")
            : inner.RecordSentAsync(mailbox, idempotencyKey, record, cancellationToken);

    public async Task RecordAttemptAsync(string mailbox, string idempotencyKey, SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        await inner.RecordAttemptAsync(mailbox, idempotencyKey, attempt, cancellationToken);
        if (StopAfterAttempt)
            throw new IOException("The worker stopped right after recording the attempt (simulated).");
    }

    public Task ForgetAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.ForgetAttemptAsync(mailbox, idempotencyKey, cancellationToken);

    public Task<SendAttempt?> FindAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default) =>
        inner.FindAttemptAsync(mailbox, idempotencyKey, cancellationToken);

    public Task<Versioned<FetchCheckpoint>?> GetCheckpointAsync(string mailbox, string protocol, string folder, CancellationToken cancellationToken = default) =>
        inner.GetCheckpointAsync(mailbox, protocol, folder, cancellationToken);

    public Task<Versioned<FetchCheckpoint>> SaveCheckpointAsync(string mailbox, string protocol, string folder, FetchCheckpoint checkpoint,
        string? expectedVersion, CancellationToken cancellationToken = default) =>
        inner.SaveCheckpointAsync(mailbox, protocol, folder, checkpoint, expectedVersion, cancellationToken);
}
