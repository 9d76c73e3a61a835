using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Store;

/// <summary>The store contract on Key Vault (the REST double over HTTPS), with a small page size so listing pages.</summary>
public class KeyVaultTokenStoreTests : TokenStoreContractTests
{
    protected KeyVaultDoubleServer Vault { get; private set; } = null!;

    /// <summary>Fast back-off for tests: any wait longer than this came from the server's Retry-After.</summary>
    protected static KeyVaultTokenStoreOptions Options => new()
    {
        MaxRetries = 3,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromSeconds(5),
        NetworkTimeout = TimeSpan.FromSeconds(10),
    };

    public override async ValueTask InitializeAsync()
    {
        Vault = await KeyVaultDoubleServer.StartAsync();
        Vault.PageSize = 2;
        await base.InitializeAsync();
    }

    protected override ValueTask<StoreHandles> OpenInstanceAsync()
    {
        var store = new KeyVaultTokenStore(Vault.CreateClient(Options), Options);
        return ValueTask.FromResult(new StoreHandles(store.Mailboxes, store.TokenCaches, store.Secrets));
    }

    protected override Task<long> CountWritesAsync() => Task.FromResult((long)Vault.Vault.TotalPutCount);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
