using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Store.Locks;
using TokenBroker.Tests.Store;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.OAuth.Support;

/// <summary>The Key Vault store over the store branch's Key Vault REST double (HTTPS, the real SecretClient).</summary>
internal static class KeyVaultTestStore
{
    /// <param name="withLocks">Mailbox locks as blob leases in a container of their own on Azurite.</param>
    public static async Task<KeyVaultDoubleServer> RegisterAsync(IServiceCollection services, bool withLocks = false)
    {
        var vault = await KeyVaultDoubleServer.StartAsync();
        var options = new KeyVaultTokenStoreOptions
        {
            VaultUri = vault.VaultUri,
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            NetworkTimeout = TimeSpan.FromSeconds(10),
        };
        var locks = withLocks ? new BlobMailboxLocks(KeyVaultLockedTokenStoreTests.LockContainer("locks-" + Guid.NewGuid().ToString("N")[..12]), TimeProvider.System) : null;
        var store = new KeyVaultTokenStore(vault.CreateClient(options), options, TimeProvider.System, locks);
        services.AddSingleton(store);
        services.AddSingleton(store.Mailboxes);
        services.AddSingleton(store.TokenCaches);
        services.AddSingleton(store.Secrets);
        services.AddSingleton<MsalTokenCacheBinding>();
        return vault;
    }

    /// <summary>Set-secret requests so far, split into mailbox records and token caches (by the store's secret name prefixes).</summary>
    public static (int Mailboxes, int TokenCaches) CountWrites(KeyVaultDoubleServer vault)
    {
        var names = vault.Vault.List().Select(entry => entry.Name).ToArray();
        return (names.Where(n => n.StartsWith("mbx-", StringComparison.Ordinal)).Sum(vault.Vault.PutCount),
                names.Where(n => n.StartsWith("cache-", StringComparison.Ordinal)).Sum(vault.Vault.PutCount));
    }
}
