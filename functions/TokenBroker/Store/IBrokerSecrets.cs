namespace TokenBroker.Store;

/// <summary>Random keys the broker generates for itself (e.g. the consent-state signing key), shared by every instance.</summary>
public interface IBrokerSecrets
{
    /// <summary>
    /// The key named <paramref name="name"/> ([0-9a-zA-Z-], at most 64 characters); created with
    /// <paramref name="sizeBytes"/> random bytes the first time. Every instance gets the same bytes, also when
    /// two create it at once. Asking for an existing key with a different size throws.
    /// </summary>
    Task<byte[]> GetOrCreateKeyAsync(string name, int sizeBytes, CancellationToken cancellationToken = default);
}
