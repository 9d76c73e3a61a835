using Microsoft.Data.Sqlite;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;

namespace TokenBroker.Tests.Store;

/// <summary>The embedded store's clear-text summary column: added to older files, filled in by the next write.</summary>
public sealed class EmbeddedStoreSummaryTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "tokenbroker-store-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EmbeddedTokenStoreOptions Options => new() { DataDirectory = _dataDirectory };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_database_created_before_summaries_gets_the_column_when_opened()
    {
        Directory.CreateDirectory(_dataDirectory);
        ExecuteOnFile("CREATE TABLE store_items (kind TEXT NOT NULL, item_key TEXT NOT NULL, version TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (kind, item_key)) WITHOUT ROWID;");

        await using var store = new EmbeddedTokenStore(Options);
        await store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);

        Assert.Equal(MailboxState.Connected, Assert.Single(await store.Mailboxes.ListSummariesAsync(Ct)).State);
    }

    [Fact]
    public async Task A_row_without_a_summary_is_listed_with_everything_unknown()
    {
        await using var store = new EmbeddedTokenStore(Options);
        await store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        ExecuteOnFile("UPDATE store_items SET summary = NULL;");

        var summary = Assert.Single(await store.Mailboxes.ListSummariesAsync(Ct));

        Assert.Equal(new MailboxSummary(summary.Id, null, null, null, null), summary);
        Assert.Equal(TestMailboxes.Connected().Address, (await store.Mailboxes.GetAsync(summary, Ct))!.Value.Address);
    }

    [Fact]
    public async Task Saving_unchanged_content_fills_in_a_missing_summary_without_a_new_version()
    {
        await using var store = new EmbeddedTokenStore(Options);
        var saved = await store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        ExecuteOnFile("UPDATE store_items SET summary = NULL;");

        var again = await store.Mailboxes.SaveAsync(saved.Value, saved.Version, Ct);

        Assert.Equal(saved.Version, again.Version);
        Assert.Equal(MailboxState.Connected, Assert.Single(await store.Mailboxes.ListSummariesAsync(Ct)).State);
    }

    private void ExecuteOnFile(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Options.DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
