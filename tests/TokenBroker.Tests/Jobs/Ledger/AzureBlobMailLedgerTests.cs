using System.Text;
using TokenBroker.AzureStorage;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>The ledger contract on Azurite's blob service (Shared Key over REST), each test in a container of its own.</summary>
public sealed class AzureBlobMailLedgerTests : MailLedgerContract
{
    private readonly string _container = "ledger-" + Guid.NewGuid().ToString("N")[..16];

    internal static StorageConnection Azurite =>
        StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING");

    protected override IMailLedger CreateLedger() => Create();

    private AzureBlobMailLedger Create() => new(Azurite, new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 1 });

    protected override async Task<string> DumpStorageAsync()
    {
        using var ledger = Create();
        var dump = new StringBuilder();
        foreach (var name in await ledger.Container.ListNamesAsync("", Ct))
        {
            dump.AppendLine(name);
            dump.AppendLine(Encoding.UTF8.GetString((await ledger.Container.GetAsync(name, Ct))!.Data));
        }
        return dump.ToString();
    }

    [Fact]
    public async Task The_container_is_created_when_missing()
    {
        using var ledger = Create();

        await ledger.RecordSentAsync(Alice, "creates-container", Sent("creates-container"), Ct);

        Assert.Single(await ledger.Container.ListNamesAsync("sent/", Ct));
    }

    [Fact]
    public async Task Sent_records_and_checkpoints_are_json_blobs_under_hashed_names()
    {
        using var ledger = Create();
        await ledger.RecordSentAsync(Alice, "k1", Sent("k1"), Ct);
        await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(1), null, Ct);

        var names = await ledger.Container.ListNamesAsync("", Ct);

        Assert.Collection(names.Order(StringComparer.Ordinal),
            name => Assert.Matches("^checkpoints/[a-z2-7]{52}\\.json$", name),
            name => Assert.Matches("^sent/[a-z2-7]{52}/[a-z2-7]{52}\\.json$", name));
    }

    [Fact]
    public async Task Finding_in_a_container_that_does_not_exist_yet_is_not_found()
    {
        using var ledger = Create();

        Assert.Null(await ledger.FindSentAsync(Alice, "nothing", Ct));
        Assert.Null(await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct));
    }

    [Fact]
    public void A_connection_without_a_blob_endpoint_is_refused_naming_the_setting()
    {
        var queueOnly = StorageConnection.FromConnectionString(
            $"AccountName=devstoreaccount1;AccountKey={PeersEnvironment.Get("AZURITE_ACCOUNT_KEY")};QueueEndpoint={PeersEnvironment.Get("AZURITE_QUEUE_ENDPOINT")}",
            "AzureWebJobsStorage");

        var error = Assert.Throws<InvalidOperationException>(() => new AzureBlobMailLedger(queueOnly));

        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("BlobEndpoint", error.Message);
    }

    [Fact]
    public async Task A_wrong_account_key_fails_with_the_services_error()
    {
        var wrongKey = StorageConnection.WithSharedKey("devstoreaccount1", Convert.ToBase64String(new byte[64]), null,
            new Uri(PeersEnvironment.Get("AZURITE_BLOB_ENDPOINT")));
        using var ledger = new AzureBlobMailLedger(wrongKey, new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => ledger.FindSentAsync(Alice, "k", Ct));

        Assert.Equal(StorageService.Blob, error.Service);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("Storage Blob Data Contributor", error.Message);
    }
}
