namespace TokenBroker.Store.KeyVault;

internal static class KeyVaultUri
{
    public const string Setting = "TokenStore:VaultUri";

    /// <summary>The vault URI, or an error naming the setting and what is wrong with it.</summary>
    public static Uri Validate(Uri? vaultUri)
    {
        if (vaultUri is null)
            throw new InvalidOperationException($"{Setting} is not set; give the vault's URI, e.g. https://my-broker.vault.azure.net/.");
        if (!vaultUri.IsAbsoluteUri || vaultUri.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"{Setting} '{vaultUri}' is not an absolute https URI (expected e.g. https://my-broker.vault.azure.net/).");
        if (vaultUri.AbsolutePath != "/" || !string.IsNullOrEmpty(vaultUri.Query))
            throw new InvalidOperationException($"{Setting} '{vaultUri}' must be the vault's root URI, without a path or query.");
        return vaultUri;
    }

    public static Uri Parse(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? Validate(null)
            : Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
                ? Validate(uri)
                : throw new InvalidOperationException($"{Setting} '{text}' is not an absolute URI (expected e.g. https://my-broker.vault.azure.net/).");
}
