namespace TokenBroker.Store;

/// <summary>
/// MSAL token cache blobs (the MsalV3 serialization), keyed by MSAL's SuggestedCacheKey
/// ("oid.tid" for a user's cache, "{clientId}_{tenantId}_AppTokenCache" for the app cache).
/// The blobs hold refresh and access tokens: every implementation keeps them encrypted at rest.
/// </summary>
public interface ITokenCacheStore
{
    /// <summary>The blob for <paramref name="cacheKey"/>, or null when none was written.</summary>
    Task<Versioned<byte[]>?> ReadAsync(string cacheKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the blob. <paramref name="expectedVersion"/> null means none may exist yet; a mismatch throws
    /// <see cref="StoreConcurrencyException"/> and changes nothing. Identical bytes write nothing.
    /// <paramref name="tags"/> are operator-visible metadata (Key Vault tags) and must hold no secret and no address.
    /// </summary>
    Task<Versioned<byte[]>> WriteAsync(string cacheKey, byte[] data, string? expectedVersion, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Removes the blob; no-op when absent.</summary>
    Task DeleteAsync(string cacheKey, CancellationToken cancellationToken = default);
}
