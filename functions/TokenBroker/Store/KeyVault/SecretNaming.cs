using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// Secret names that reveal nothing: prefix + hex HMAC-SHA256 of the identifier under a random key kept in the
/// vault itself ("key-secret-naming"). A plain hash would let anyone allowed to list secret names (e.g. the Key
/// Vault Reader role, which cannot read values) confirm a guessed address.
/// </summary>
internal sealed class SecretNaming(IBrokerSecrets brokerSecrets)
{
    private const string NamingKeyName = "secret-naming";

    public const string MailboxPrefix = "mbx-";
    public const string TokenCachePrefix = "cache-";

    /// <summary>The secret name of a mailbox: "mbx-" + 64 hex characters (68 in all, within Key Vault's 127).</summary>
    public Task<string> MailboxAsync(string address, CancellationToken cancellationToken) =>
        NameAsync(MailboxPrefix, "mailbox:" + MailboxAddress.Normalize(address), cancellationToken);

    public Task<string> TokenCacheAsync(string cacheKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheKey);
        return NameAsync(TokenCachePrefix, "token-cache:" + cacheKey, cancellationToken);
    }

    private async Task<string> NameAsync(string prefix, string identifier, CancellationToken cancellationToken)
    {
        var key = await brokerSecrets.GetOrCreateKeyAsync(NamingKeyName, 32, cancellationToken).ConfigureAwait(false);
        return prefix + Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(identifier)));
    }
}
