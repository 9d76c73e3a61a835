namespace TokenBroker.Store;

/// <summary>The mailboxes the broker serves, keyed by address (case-insensitive).</summary>
public interface IMailboxRegistry
{
    /// <summary>The mailbox with that address, or null when it is not registered.</summary>
    Task<Versioned<Mailbox>?> GetAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Every registered mailbox (order unspecified). Reads every record: for status pages, not for timers.</summary>
    Task<IReadOnlyList<Versioned<Mailbox>>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every registered mailbox's <see cref="MailboxSummary"/>, from listing metadata alone: no record is read
    /// (Key Vault: only the secret listing pages are fetched, no secret value). Order unspecified.
    /// </summary>
    Task<IReadOnlyList<MailboxSummary>> ListSummariesAsync(CancellationToken cancellationToken = default);

    /// <summary>The mailbox <paramref name="summary"/> was listed for, as stored now; null when it was deleted since.</summary>
    Task<Versioned<Mailbox>?> GetAsync(MailboxSummary summary, CancellationToken cancellationToken = default);

    /// <summary>
    /// For a read-modify-write that should not wait (the keep-alive): reads the mailbox <paramref name="summary"/> was
    /// listed for and holds the store's write lock on it until the result is disposed, when the store has one (Key
    /// Vault with a storage account for the locks); saving the version read then costs no second read. Null when it
    /// was deleted since, or another writer holds its lock now (that writer is at this mailbox, or another instance at one of
    /// its <see cref="HoldGroupOf"/> group: leave it to them, or to the next sweep).
    /// </summary>
    async Task<HeldMailbox?> HoldAsync(MailboxSummary summary, CancellationToken cancellationToken = default) =>
        await GetAsync(summary, cancellationToken).ConfigureAwait(false) is { } current ? new HeldMailbox(current) : null;

    /// <summary>
    /// Mailboxes whose holds share one lock across instances (<see cref="HoldAsync"/> costs least taking a group's
    /// mailboxes one after the other); the same group for all when the store has no such locks.
    /// </summary>
    int HoldGroupOf(MailboxSummary summary) => 0;

    /// <summary>
    /// Stores <paramref name="mailbox"/>. <paramref name="expectedVersion"/> null means the mailbox must not exist yet;
    /// otherwise it must be the version last read. A mismatch throws <see cref="StoreConcurrencyException"/> and
    /// changes nothing (re-read, re-apply, retry). Saving content equal to what is stored writes nothing and
    /// returns the current version, so callers should not bump <see cref="Mailbox.UpdatedAt"/> unless something changed.
    /// </summary>
    Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="SaveAsync"/> for a writer whose every result is self-consistent (the keep-alive: record and
    /// tokens in one item, and a refresh token it replaces stays valid): the expected version is still checked
    /// before writing, but Key Vault skips the read-back that detects a same-base writer landing just after.
    /// One read fewer per refreshed mailbox.
    /// </summary>
    Task<Versioned<Mailbox>> SaveRefreshedAsync(Mailbox mailbox, string expectedVersion, CancellationToken cancellationToken = default) =>
        SaveAsync(mailbox, expectedVersion, cancellationToken);

    /// <summary>Removes the mailbox; no-op when it does not exist. Its token cache is not touched (a delegate may serve several mailboxes).</summary>
    Task DeleteAsync(string address, CancellationToken cancellationToken = default);
}
