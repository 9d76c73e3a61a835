namespace TokenBroker.Jobs.Mail;

/// <summary>
/// One holder at a time per key, within this process: two copies of the same send request taken in one batch must not
/// both pass the ledger check before either records its send. (Across instances the ledger alone decides.)
/// </summary>
internal sealed class KeyedLock
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _gates = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (_gates)
        {
            var entry = _gates.TryGetValue(key, out var existing) ? existing : (Gate: new SemaphoreSlim(1, 1), Users: 0);
            _gates[key] = (entry.Gate, entry.Users + 1);
            gate = entry.Gate;
        }
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key);
            throw;
        }
        return new Releaser(this, key, gate);
    }

    private void Leave(string key)
    {
        lock (_gates)
        {
            var entry = _gates[key];
            if (entry.Users == 1) _gates.Remove(key);
            else _gates[key] = (entry.Gate, entry.Users - 1);
        }
    }

    private sealed class Releaser(KeyedLock owner, string key, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            gate.Release();
            owner.Leave(key);
        }
    }
}
