using Azure.Core;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;

using TokenBroker.Store.Locks;

namespace TokenBroker.Store.KeyVault;

/// <summary>
/// The token store on Azure Key Vault (the Functions deployment): mailbox registry, MSAL token caches and broker keys
/// as secrets of one vault, reached with the app's managed identity.
/// </summary>
public sealed class KeyVaultTokenStore
{
    /// <param name="locks">A write lock per mailbox record (blob leases on Azure): the keep-alive then reads its record once.</param>
    public KeyVaultTokenStore(SecretClient client, KeyVaultTokenStoreOptions? options = null, TimeProvider? timeProvider = null, IMailboxLocks? locks = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        Client = client;
        var secrets = new KeyVaultSecrets(client, options ?? new KeyVaultTokenStoreOptions(), timeProvider ?? TimeProvider.System);
        var brokerSecrets = new KeyVaultBrokerSecrets(secrets);
        var naming = new SecretNaming(brokerSecrets);
        Secrets = brokerSecrets;
        Mailboxes = new KeyVaultMailboxRegistry(secrets, naming, locks);
        TokenCaches = new KeyVaultTokenCacheStore(secrets, naming);
    }

    /// <summary>The vault's client, for other records the broker keeps beside the tokens (its callers).</summary>
    public SecretClient Client { get; }

    public IMailboxRegistry Mailboxes { get; }

    public ITokenCacheStore TokenCaches { get; }

    public IBrokerSecrets Secrets { get; }

    /// <summary>
    /// Client options with the store's retry policy: exponential back-off, never shorter than the Retry-After a
    /// throttled (429) or busy (503) vault sends, and a timeout on every attempt.
    /// </summary>
    public static SecretClientOptions CreateClientOptions(KeyVaultTokenStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clientOptions = new SecretClientOptions(SecretClientOptions.ServiceVersion.V7_6);
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        return clientOptions;
    }

    /// <summary>The production client: <see cref="KeyVaultTokenStoreOptions.VaultUri"/> with a managed identity (or DefaultAzureCredential's chain off Azure).</summary>
    public static SecretClient CreateSecretClient(KeyVaultTokenStoreOptions options, TokenCredential? credential = null)
    {
        var vaultUri = KeyVaultUri.Validate(options.VaultUri);
        credential ??= new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = options.ManagedIdentityClientId,
        });
        return new SecretClient(vaultUri, credential, CreateClientOptions(options));
    }
}
