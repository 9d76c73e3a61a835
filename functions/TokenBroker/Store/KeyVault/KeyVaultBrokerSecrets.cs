using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// Broker keys as secrets named "key-{name}". Two instances creating the same key at once both write a version;
/// everyone then uses the earliest version, so all instances end up with the same bytes.
/// </summary>
internal sealed class KeyVaultBrokerSecrets(KeyVaultSecrets secrets) : IBrokerSecrets
{
    private const string ContentType = "application/octet-stream; encoding=base64";
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public async Task<byte[]> GetOrCreateKeyAsync(string name, int sizeBytes, CancellationToken cancellationToken = default)
    {
        BrokerKeyName.Validate(name, sizeBytes);
        if (!_keys.TryGetValue(name, out var key))
        {
            var secretName = "key-" + name;
            var stored = await secrets.ReadFirstVersionAsync(secretName, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                var fresh = new SecretWrite(secretName, $"Broker key '{name}'",
                    Convert.ToBase64String(RandomNumberGenerator.GetBytes(sizeBytes)), ContentType,
                    new Dictionary<string, string> { [SecretTags.Kind] = SecretTags.BrokerKeyKind });
                await secrets.CreateAsync(fresh, cancellationToken).ConfigureAwait(false);
                stored = await secrets.ReadFirstVersionAsync(secretName, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Broker key secret '{secretName}' was written but has no readable version.");
            }
            key = _keys.GetOrAdd(name, Convert.FromBase64String(stored.Value));
        }
        BrokerKeyName.CheckSize(name, key, sizeBytes);
        return key.ToArray();
    }
}
