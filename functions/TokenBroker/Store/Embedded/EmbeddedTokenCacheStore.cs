namespace TokenBroker.Store.Embedded;

/// <summary>MSAL cache blobs as encrypted rows. Tags are Key Vault metadata for operators; here they are accepted and not kept.</summary>
internal sealed class EmbeddedTokenCacheStore(EmbeddedStoreDatabase database) : ITokenCacheStore
{
    private const string Kind = "token-cache";

    public async Task<Versioned<byte[]>?> ReadAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheKey);
        var stored = await database.ReadAsync(Kind, cacheKey, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new Versioned<byte[]>(stored.Data, stored.Version);
    }

    public async Task<Versioned<byte[]>> WriteAsync(string cacheKey, byte[] data, string? expectedVersion,
        IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheKey);
        ArgumentNullException.ThrowIfNull(data);
        var version = await database.WriteAsync(Kind, cacheKey, $"Token cache '{cacheKey}'", data, summary: null, expectedVersion, cancellationToken).ConfigureAwait(false);
        return new Versioned<byte[]>(data.ToArray(), version);
    }

    public Task DeleteAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheKey);
        return database.DeleteAsync(Kind, cacheKey, cancellationToken);
    }
}
