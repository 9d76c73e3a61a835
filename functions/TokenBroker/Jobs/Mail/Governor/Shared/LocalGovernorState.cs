namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// The governor's counters in this process only (Mail:Governor:SharedState = Local): right for one instance, and the
/// per-instance comparison in the benchmark. With several instances each allows itself the whole limit.
/// </summary>
public sealed class LocalGovernorState(TimeProvider timeProvider) : IGovernorState
{
    private readonly Dictionary<string, MailboxGovernorRecord> _records = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _connections = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public string Kind => "local";

    public long StorageOperations => 0;

    public Task<Admission> TryAdmitAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult(Update(mailbox, record => record.Admit(timeProvider.GetUtcNow(), recipients, takeMessage: true, limits)));

    public Task<Admission> TryTakeRecipientsAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        Task.FromResult(Update(mailbox, record => record.Admit(timeProvider.GetUtcNow(), recipients, takeMessage: false, limits)));

    public Task<IConnectionSlot?> TryAcquireConnectionAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var inUse = _connections.GetValueOrDefault(mailbox);
            if (inUse >= limits.MaxConnections) return Task.FromResult<IConnectionSlot?>(null);
            _connections[mailbox] = inUse + 1;
        }
        return Task.FromResult<IConnectionSlot?>(new Slot(this, mailbox));
    }

    public Task<bool> BackOffAsync(string mailbox, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(Update(mailbox, record => record.BackOff(timeProvider.GetUtcNow(), until, reason)));

    public Task<GovernorSnapshot> ReadAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(Record(mailbox).Snapshot(timeProvider.GetUtcNow(), limits.Window, _connections.GetValueOrDefault(mailbox)));
    }

    private T Update<T>(string mailbox, Func<MailboxGovernorRecord, T> change)
    {
        lock (_gate)
            return change(Record(mailbox));
    }

    private MailboxGovernorRecord Record(string mailbox)
    {
        if (!_records.TryGetValue(mailbox, out var record))
            _records[mailbox] = record = new MailboxGovernorRecord();
        return record;
    }

    private void Release(string mailbox)
    {
        lock (_gate)
            _connections[mailbox] = Math.Max(0, _connections.GetValueOrDefault(mailbox) - 1);
    }

    private sealed class Slot(LocalGovernorState owner, string mailbox) : IConnectionSlot
    {
        private int _released;
        public bool IsHeld => Volatile.Read(ref _released) == 0;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(mailbox);
            return ValueTask.CompletedTask;
        }
    }
}
