using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TokenBroker.Store.Embedded;

internal sealed class EmbeddedBrokerSecrets(EmbeddedStoreDatabase database) : IBrokerSecrets
{
    private const string Kind = "broker-key";
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public async Task<byte[]> GetOrCreateKeyAsync(string name, int sizeBytes, CancellationToken cancellationToken = default)
    {
        BrokerKeyName.Validate(name, sizeBytes);
        if (!_keys.TryGetValue(name, out var key))
        {
            var stored = await database.InsertIfAbsentAsync(Kind, name, RandomNumberGenerator.GetBytes(sizeBytes), cancellationToken).ConfigureAwait(false);
            key = _keys.GetOrAdd(name, stored.Data);
        }
        BrokerKeyName.CheckSize(name, key, sizeBytes);
        return key.ToArray();
    }
}
