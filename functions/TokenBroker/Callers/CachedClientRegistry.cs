using System.Collections.Concurrent;

namespace TokenBroker.Callers;

/// <summary>
/// Remembers lookups for a short while so that each request does not cost a Key Vault read (and a flood of made-up
/// ids cannot turn into a flood of reads). A removed client keeps working for at most <see cref="Lifetime"/>.
/// </summary>
internal sealed class CachedClientRegistry(IClientRegistry inner, TimeProvider timeProvider) : IClientRegistry
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (BrokerClient? Client, DateTimeOffset Until)> _found = new(StringComparer.Ordinal);

    public async Task<BrokerClient?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_found.TryGetValue(id, out var entry) && entry.Until > now) return entry.Client;
        var client = await inner.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        if (_found.Count >= MaxEntries) _found.Clear();
        _found[id] = (client, now + Lifetime);
        return client;
    }

    public Task<IReadOnlyList<BrokerClient>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task AddAsync(BrokerClient client, CancellationToken cancellationToken)
    {
        await inner.AddAsync(client, cancellationToken).ConfigureAwait(false);
        _found.TryRemove(client.Id, out _);
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var removed = await inner.RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        _found.Clear();
        return removed;
    }
}
