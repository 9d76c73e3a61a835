using TokenBroker.Store.Embedded;

namespace TokenBroker.Tests.Store;

/// <summary>The store contract on the embedded SQLite + DataProtection store, one data folder per test.</summary>
public class EmbeddedTokenStoreTests : TokenStoreContractTests
{
    private readonly List<EmbeddedTokenStore> _opened = [];

    protected string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "tokenbroker-store-" + Guid.NewGuid().ToString("N"));

    protected EmbeddedTokenStoreOptions Options => new() { DataDirectory = DataDirectory };

    protected override ValueTask<StoreHandles> OpenInstanceAsync()
    {
        var store = new EmbeddedTokenStore(Options);
        _opened.Add(store);
        return ValueTask.FromResult(new StoreHandles(store.Mailboxes, store.TokenCaches, store.Secrets, store));
    }

    protected override async Task<long> CountWritesAsync()
    {
        long total = 0;
        foreach (var store in _opened)
            total += await store.Database.CountChangesAsync(TestContext.Current.CancellationToken);
        return total;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
