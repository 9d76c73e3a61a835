namespace TokenBroker.Store.KeyVault;

/// <summary>Settings of the Key Vault token store (configuration section "TokenStore").</summary>
public sealed class KeyVaultTokenStoreOptions
{
    public const string SectionName = "TokenStore";

    /// <summary>The vault, e.g. https://my-broker.vault.azure.net/. Required.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>
    /// Client id of a user-assigned managed identity; null uses the system-assigned identity (or, off Azure,
    /// whatever DefaultAzureCredential finds: environment, Azure CLI, ...).
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Retries after 429/5xx/network errors. Key Vault throttles per vault per 10 s; the SDK waits at least the Retry-After the vault sends.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>First back-off delay (exponential, jittered) when the vault sends no Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on a single back-off delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of each HTTP attempt.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to keep retrying recovery of a soft-deleted secret whose deletion is still in progress.</summary>
    public TimeSpan DeletedSecretRecoveryTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
