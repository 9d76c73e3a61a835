namespace TokenBroker.Store.Locks;

/// <summary>
/// A write lock per mailbox record, for stores without a conditional write (Key Vault): every writer of a record holds
/// its lock around its read-compare-write, so the keep-alive, holding it from its read to its write, may write without
/// reading the record a second time.
/// </summary>
public interface IMailboxLocks
{
    /// <summary>
    /// Takes the lock on the record <paramref name="recordId"/>; null when another writer holds it and it did not come
    /// free within <paramref name="wait"/> (a holder that died loses it when its lease runs out).
    /// </summary>
    Task<IMailboxLock?> TryAcquireAsync(string recordId, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>
    /// The group of records whose locks are taken together across processes: a writer that takes many records' locks
    /// (the keep-alive sweep) costs least taking one group's records one after the other.
    /// </summary>
    int ShardOf(string recordId) => 0;
}

/// <summary>One taken lock; disposing releases it.</summary>
public interface IMailboxLock : IAsyncDisposable
{
    /// <summary>
    /// True while the lock is certainly still ours (well inside its lease). After that a write must check the version
    /// again: the lease may have run out and another writer taken the lock.
    /// </summary>
    bool IsSafelyHeld { get; }
}
