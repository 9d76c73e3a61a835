using Azure.Security.KeyVault.Secrets;

namespace TokenBroker.Store.KeyVault;

/// <summary>The latest version of a secret as read: value, version id and the metadata the stores put on it.</summary>
internal sealed record StoredSecret(string Name, string Value, string Version, string? ContentType, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Write counter kept in a tag; 0 when the secret was never written by this store.</summary>
    public long Generation => Tags.TryGetValue(SecretTags.Generation, out var text) && long.TryParse(text, out var value) ? value : 0;

    public static StoredSecret From(KeyVaultSecret secret) =>
        new(secret.Name, secret.Value, secret.Properties.Version, secret.Properties.ContentType,
            new Dictionary<string, string>(secret.Properties.Tags, StringComparer.Ordinal));
}

/// <summary>Tag names the stores use. Tags are visible to anyone who may list secrets: never an address or a secret.</summary>
internal static class SecretTags
{
    public const string Kind = "kind";
    public const string Generation = "generation";
    public const string Schema = "schema";

    public const string MailboxKind = "mailbox";
    public const string TokenCacheKind = "token-cache";
    public const string BrokerKeyKind = "broker-key";

    /// <summary>Key Vault allows 15 tags per secret, names ≤ 512 and values ≤ 256 characters.</summary>
    public const int MaxTags = 15;
    public const int MaxValueLength = 256;
}
