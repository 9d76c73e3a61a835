using System.Text;
using Azure;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>The ledger contract on Azurite's blob service (connection string, Shared Key over http), each test in a container of its own.</summary>
public sealed class AzureBlobMailLedgerTests : MailLedgerContract
{
    private readonly string _container = "ledger-" + Guid.NewGuid().ToString("N")[..16];

    internal static StorageConnection Azurite =>
        StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING");

    protected override IMailLedger CreateLedger() => Create();

    private AzureBlobMailLedger Create(TimeProvider? time = null) =>
        new(Azurite, new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 1 }, timeProvider: time);

    // Azurite stamps Last-Modified with the real clock: a ledger whose clock runs ahead sees today's records as old.
    private static ManualTimeProvider DaysAhead(double days) => new(DateTimeOffset.UtcNow.AddDays(days));

    protected override async Task<string> DumpStorageAsync()
    {
        var ledger = Create();
        var dump = new StringBuilder();
        foreach (var name in await ledger.Container.ListNamesAsync("", Ct))
        {
            dump.AppendLine(name);
            dump.AppendLine(Encoding.UTF8.GetString((await ledger.Container.GetAsync(name, Ct))!.Data));
        }
        return dump.ToString();
    }

    [Fact]
    public async Task The_purge_deletes_sent_records_older_than_the_retention()
    {
        var writer = Create();
        await writer.RecordSentAsync(Alice, "old", Sent("old"), Ct);
        await writer.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(1), null, Ct);
        var purger = Create(DaysAhead(31));

        Assert.Equal(1, await purger.PurgeAsync(Ct));

        Assert.Null(await writer.FindSentAsync(Alice, "old", Ct));
        Assert.NotNull(await writer.GetCheckpointAsync(Alice, "imap", "INBOX", Ct));
    }

    [Fact]
    public async Task The_purge_keeps_sent_records_within_the_retention()
    {
        var writer = Create();
        await writer.RecordSentAsync(Alice, "recent", Sent("recent"), Ct);
        var purger = Create(DaysAhead(29));

        Assert.Equal(0, await purger.PurgeAsync(Ct));

        Assert.NotNull(await writer.FindSentAsync(Alice, "recent", Ct));
    }

    [Fact]
    public async Task A_write_starts_the_purge_at_most_once_an_hour()
    {
        var writer = Create();
        var clock = DaysAhead(31);
        var purger = Create(clock);
        await writer.RecordSentAsync(Alice, "first-old", Sent("first-old"), Ct);
        await purger.RecordSentAsync(Bob, "w1", Sent("w1"), Ct); // purges
        await writer.RecordSentAsync(Alice, "second-old", Sent("second-old"), Ct);

        clock.Advance(TimeSpan.FromMinutes(50));
        await purger.RecordSentAsync(Bob, "w2", Sent("w2"), Ct); // within the hour: no purge
        var keptWithinTheHour = await writer.FindSentAsync(Alice, "second-old", Ct);
        clock.Advance(TimeSpan.FromMinutes(15));
        await purger.RecordSentAsync(Bob, "w3", Sent("w3"), Ct);

        Assert.NotNull(keptWithinTheHour);
        Assert.Null(await writer.FindSentAsync(Alice, "first-old", Ct));
        Assert.Null(await writer.FindSentAsync(Alice, "second-old", Ct));
    }

    [Fact]
    public async Task A_checkpoint_save_whose_response_was_lost_and_retried_is_reported_as_saved()
    {
        using var http = new HttpClient(new LoseFirstPutResponse("/checkpoints/"));
        var ledger = new AzureBlobMailLedger(Azurite,
            new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }, http);

        var saved = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(5), null, Ct);

        var read = await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct);
        Assert.Equal(read!.Version, saved.Version);
        Assert.Equal(5, read.Value.LastUid);
    }

    [Fact]
    public async Task A_sent_record_whose_response_was_lost_and_retried_is_recorded_once()
    {
        using var http = new HttpClient(new LoseFirstPutResponse("/sent/"));
        var ledger = new AzureBlobMailLedger(Azurite,
            new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }, http);
        var record = Sent("lost-response");

        await ledger.RecordSentAsync(Alice, "lost-response", record, Ct);

        Assert.Equal(record, await ledger.FindSentAsync(Alice, "lost-response", Ct));
    }

    [Fact]
    public async Task The_container_is_created_when_missing()
    {
        var ledger = Create();

        await ledger.RecordSentAsync(Alice, "creates-container", Sent("creates-container"), Ct);

        Assert.Single(await ledger.Container.ListNamesAsync("sent/", Ct));
    }

    [Fact]
    public async Task Sent_records_and_checkpoints_are_json_blobs_under_hashed_names()
    {
        var ledger = Create();
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
        var ledger = Create();

        Assert.Null(await ledger.FindSentAsync(Alice, "nothing", Ct));
        Assert.Null(await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct));
    }

    [Fact]
    public void A_connection_without_a_blob_endpoint_is_refused_naming_the_setting()
    {
        var queueOnly = StorageConnection.FromConnectionString(
            $"QueueEndpoint={PeersEnvironment.Get("AZURITE_QUEUE_ENDPOINT")};SharedAccessSignature=sv=2022-11-02&ss=q&sig=x", "AzureWebJobsStorage");

        var error = Assert.Throws<InvalidOperationException>(() => new AzureBlobMailLedger(queueOnly));

        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("BlobEndpoint", error.Message);
    }

    [Fact]
    public async Task A_wrong_account_key_fails_with_the_services_error()
    {
        var wrongKey = StorageConnection.FromConnectionString(
            $"AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint={PeersEnvironment.Get("AZURITE_BLOB_ENDPOINT")}");
        var ledger = new AzureBlobMailLedger(wrongKey, new AzureBlobMailLedgerOptions { ContainerName = _container, MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ledger.FindSentAsync(Alice, "k", Ct));

        Assert.Equal(403, error.Status);
        Assert.Contains("Storage Blob Data Contributor", error.Message);
    }

    /// <summary>Lets the first PUT under a path reach the service, then loses its response as a dropped connection would.</summary>
    private sealed class LoseFirstPutResponse(string pathPart) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _lost;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains(pathPart, StringComparison.Ordinal)
                && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                Assert.True(response.IsSuccessStatusCode);
                response.Dispose();
                throw new HttpRequestException("The connection was reset after the request was sent.");
            }
            return response;
        }
    }
}
