using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Ledger;

public sealed class MailLedgerRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-registration-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static IMailLedger Resolve(IConfiguration configuration, out ServiceProvider provider)
    {
        provider = new ServiceCollection().AddMailLedger(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IMailLedger>();
    }

    [Fact]
    public async Task The_standalone_default_is_a_sqlite_ledger_in_the_broker_data_directory()
    {
        var ledger = Resolve(Settings(("Broker:DataDirectory", _directory)), out var provider);
        await using (provider)
        {
            var sqlite = Assert.IsType<SqliteMailLedger>(ledger);
            Assert.Equal(Path.Combine(_directory, "ledger.db"), sqlite.DatabasePath);
            Assert.True(File.Exists(sqlite.DatabasePath));
        }
    }

    [Fact]
    public async Task Azure_queues_select_the_blob_ledger_on_the_same_connection_setting()
    {
        var ledger = Resolve(Settings(
            ("Queues:Transport", "azure"),
            ("AzureWebJobsStorage", PeersEnvironment.Get("AZURITE_CONNECTION_STRING")),
            ("Ledger:AzureBlob:ContainerName", "registration-" + Guid.NewGuid().ToString("N")[..12])), out var provider);
        await using (provider)
        {
            Assert.IsType<AzureBlobMailLedger>(ledger);
            await ledger.RecordSentAsync("alice@contoso.com", "k", new SentRecord("<a@contoso.com>", DateTimeOffset.UnixEpoch, 1), TestContext.Current.CancellationToken);
            Assert.NotNull(await ledger.FindSentAsync("alice@contoso.com", "k", TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task An_explicit_kind_wins_over_the_queue_transport()
    {
        var ledger = Resolve(Settings(("Queues:Transport", "azure"), ("Ledger:Kind", "Sqlite"), ("Broker:DataDirectory", _directory)), out var provider);
        await using (provider) Assert.IsType<SqliteMailLedger>(ledger);
    }

    [Fact]
    public void The_ledger_connection_setting_overrides_the_queue_connection()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(
            ("Ledger:Kind", "AzureBlob"), ("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("Ledger:Connection", "LedgerStorage"))));

        Assert.Contains("LedgerStorage", error.Message);
    }

    [Fact]
    public void An_unknown_kind_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(("Ledger:Kind", "Cosmos"))));

        Assert.Contains("Ledger:Kind", error.Message);
        Assert.Contains("Cosmos", error.Message);
    }

    [Fact]
    public void An_unknown_queue_transport_asks_for_an_explicit_kind()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(("Queues:Transport", "rabbitmq"))));

        Assert.Contains("Queues:Transport", error.Message);
        Assert.Contains("Ledger:Kind", error.Message);
    }

    [Fact]
    public void The_blob_ledger_without_a_storage_connection_names_the_missing_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(("Ledger:Kind", "AzureBlob"))));

        Assert.Contains("AzureWebJobsStorage", error.Message);
    }

    [Fact]
    public void An_identity_connection_with_only_a_queue_uri_asks_for_the_blob_uri()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(
            ("Ledger:Kind", "AzureBlob"), ("AzureWebJobsStorage:queueServiceUri", "https://acct.queue.core.windows.net"))));

        Assert.Contains("AzureWebJobsStorage__blobServiceUri", error.Message);
    }

    [Fact]
    public void An_invalid_container_name_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMailLedger(Settings(
            ("Ledger:Kind", "AzureBlob"), ("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("Ledger:AzureBlob:ContainerName", "Ledger_Blobs"))));

        Assert.Contains("Ledger:AzureBlob:ContainerName", error.Message);
    }
}
