using Azure.Storage.Blobs;
using TokenBroker.Store.KeyVault;
using TokenBroker.Store.Locks;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Store;

/// <summary>The store contract on Key Vault with mailbox locks as blob leases on Azurite, each instance its own lock client.</summary>
public sealed class KeyVaultLockedTokenStoreTests : KeyVaultTokenStoreTests
{
    private readonly string _container = "locks-" + Guid.NewGuid().ToString("N")[..12];

    internal static BlobContainerClient LockContainer(string name) =>
        StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING")
            .CreateBlobServiceClient(new BlobClientOptions()).GetBlobContainerClient(name);

    protected override ValueTask<StoreHandles> OpenInstanceAsync()
    {
        var store = new KeyVaultTokenStore(Vault.CreateClient(Options), Options, TimeProvider.System,
            new BlobMailboxLocks(LockContainer(_container), TimeProvider.System));
        return ValueTask.FromResult(new StoreHandles(store.Mailboxes, store.TokenCaches, store.Secrets));
    }
}
