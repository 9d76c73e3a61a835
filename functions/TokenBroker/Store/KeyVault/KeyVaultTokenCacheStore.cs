using System.IO.Compression;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// MSAL cache blobs as secrets ("cache-" + HMAC of the cache key), gzip-compressed then base64-encoded: a secret
/// value is a string of at most 25 KB, and compression keeps a user's cache well inside that.
/// </summary>
internal sealed class KeyVaultTokenCacheStore(KeyVaultSecrets secrets, SecretNaming naming) : ITokenCacheStore
{
    private const string ContentType = "application/gzip; encoding=base64";
    private const int MaxSecretValueChars = 25 * 1024;

    public async Task<Versioned<byte[]>?> ReadAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        var name = await naming.TokenCacheAsync(cacheKey, cancellationToken).ConfigureAwait(false);
        var stored = await secrets.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new Versioned<byte[]>(Decode(stored.Value), stored.Version);
    }

    public async Task<Versioned<byte[]>> WriteAsync(string cacheKey, byte[] data, string? expectedVersion,
        IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var name = await naming.TokenCacheAsync(cacheKey, cancellationToken).ConfigureAwait(false);
        var value = Encode(data);
        if (value.Length > MaxSecretValueChars)
            throw new InvalidOperationException(
                $"Token cache '{cacheKey}' is {data.Length} bytes ({value.Length} characters compressed and encoded); a Key Vault secret value holds at most {MaxSecretValueChars}.");
        var write = new SecretWrite(name, $"Token cache '{cacheKey}'", value, ContentType, TagsOf(tags),
            SameValue: stored => Decode(stored).AsSpan().SequenceEqual(data));
        var written = await secrets.WriteAsync(write, expectedVersion, cancellationToken).ConfigureAwait(false);
        return new Versioned<byte[]>(data.ToArray(), written.Version);
    }

    public async Task DeleteAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        var name = await naming.TokenCacheAsync(cacheKey, cancellationToken).ConfigureAwait(false);
        await secrets.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, string> TagsOf(IReadOnlyDictionary<string, string>? callerTags)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { [SecretTags.Kind] = SecretTags.TokenCacheKind };
        foreach (var (key, value) in callerTags ?? new Dictionary<string, string>())
        {
            if (key is SecretTags.Kind or SecretTags.Generation or SecretTags.Schema)
                throw new ArgumentException($"Tag '{key}' is reserved by the token store.", nameof(callerTags));
            if (value.Length > SecretTags.MaxValueLength)
                throw new ArgumentException($"Tag '{key}' is {value.Length} characters; Key Vault allows {SecretTags.MaxValueLength}.", nameof(callerTags));
            tags[key] = value;
        }
        if (tags.Count + 1 > SecretTags.MaxTags)
            throw new ArgumentException($"Too many tags: Key Vault allows {SecretTags.MaxTags} per secret, the store uses 2.", nameof(callerTags));
        return tags;
    }

    private static string Encode(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static byte[] Decode(string value)
    {
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(value)), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }
}
