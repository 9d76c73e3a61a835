namespace TokenBroker.Store;

/// <summary>
/// A mailbox record read for a read-modify-write under the store's write lock on it (when the store has one): saving
/// <see cref="Current"/>'s version back then needs no second read. Disposing releases the lock.
/// </summary>
public sealed class HeldMailbox(Versioned<Mailbox> current, Func<ValueTask>? release = null) : IAsyncDisposable
{
    private Func<ValueTask>? _release = release;

    public Versioned<Mailbox> Current { get; } = current;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _release, null)?.Invoke() ?? ValueTask.CompletedTask;
}
