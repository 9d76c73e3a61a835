using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>Passes calls to a real store and records them; can let another writer in right after the next read.</summary>
public sealed class RecordingTokenCacheStore(ITokenCacheStore inner) : ITokenCacheStore
{
    private Func<string, Task>? _afterNextRead;

    public int Reads { get; private set; }

    /// <summary>Writes that reached the store: cache key and the expected version passed.</summary>
    public List<(string CacheKey, string? ExpectedVersion)> Writes { get; } = [];

    public void AfterNextRead(Func<string, Task> action) => _afterNextRead = action;

    public async Task<Versioned<byte[]>?> ReadAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        Reads++;
        var result = await inner.ReadAsync(cacheKey, cancellationToken);
        var action = Interlocked.Exchange(ref _afterNextRead, null);
        if (action is not null) await action(cacheKey);
        return result;
    }

    public Task<Versioned<byte[]>> WriteAsync(string cacheKey, byte[] data, string? expectedVersion,
        IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        Writes.Add((cacheKey, expectedVersion));
        return inner.WriteAsync(cacheKey, data, expectedVersion, tags, cancellationToken);
    }

    public Task DeleteAsync(string cacheKey, CancellationToken cancellationToken = default) => inner.DeleteAsync(cacheKey, cancellationToken);
}
