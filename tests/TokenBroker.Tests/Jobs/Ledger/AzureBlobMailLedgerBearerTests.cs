using Azure;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;
using TokenBroker.Tests.StorageAccount;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>Identity-based connections (managed identity in Azure) against the https Azurite blob instance started with `--oauth basic`.</summary>
public sealed class AzureBlobMailLedgerBearerTests : IDisposable
{
    private readonly HttpClient _http = AzuriteOAuth.TrustingTestCa();
    private readonly AzureBlobMailLedgerOptions _options = new() { ContainerName = "bearer-" + Guid.NewGuid().ToString("N")[..16], MaxRetries = 0 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    private AzureBlobMailLedger Ledger(UnsignedStorageTokenCredential credential) =>
        new(StorageConnection.WithTokenCredential(credential, null, AzuriteOAuth.BlobEndpoint), _options, _http);

    [Fact]
    public async Task A_storage_token_authorizes_records_attempts_and_checkpoints()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));
        var ledger = Ledger(credential);
        var record = new SentRecord("<x@contoso.com>", DateTimeOffset.UnixEpoch, 1);
        var attempt = new SendAttempt("<x@contoso.com>", DateTimeOffset.UnixEpoch);

        await ledger.RecordSentAsync("alice@contoso.com", "k", record, Ct);
        await ledger.RecordAttemptAsync("alice@contoso.com", "k", attempt, Ct);
        var saved = await ledger.SaveCheckpointAsync("alice@contoso.com", "imap", "INBOX", new FetchCheckpoint(1, 2, [], DateTimeOffset.UnixEpoch), null, Ct);

        Assert.Equal(record, await ledger.FindSentAsync("alice@contoso.com", "k", Ct));
        Assert.Equal(attempt, await ledger.FindAttemptAsync("alice@contoso.com", "k", Ct));
        Assert.Equal(saved.Version, (await ledger.GetCheckpointAsync("alice@contoso.com", "imap", "INBOX", Ct))!.Version);
        Assert.Equal([StorageConnection.StorageAudienceScope], credential.RequestedScopes.Distinct());
    }

    [Fact]
    public async Task A_stale_checkpoint_version_is_a_concurrency_error_over_bearer_too()
    {
        var ledger = Ledger(new UnsignedStorageTokenCredential(TimeSpan.FromHours(1)));
        var first = await ledger.SaveCheckpointAsync("alice@contoso.com", "imap", "INBOX", new FetchCheckpoint(1, 2, [], DateTimeOffset.UnixEpoch), null, Ct);
        await ledger.SaveCheckpointAsync("alice@contoso.com", "imap", "INBOX", new FetchCheckpoint(1, 3, [], DateTimeOffset.UnixEpoch), first.Version, Ct);

        await Assert.ThrowsAsync<TokenBroker.Store.StoreConcurrencyException>(() =>
            ledger.SaveCheckpointAsync("alice@contoso.com", "imap", "INBOX", new FetchCheckpoint(1, 4, [], DateTimeOffset.UnixEpoch), first.Version, Ct));
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_the_services_error()
    {
        var ledger = Ledger(new UnsignedStorageTokenCredential(TimeSpan.FromMinutes(-10)));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ledger.FindSentAsync("alice@contoso.com", "k", Ct));

        Assert.Equal("AuthenticationFailed", error.ErrorCode);
        Assert.Contains("Storage Blob Data Contributor", error.Message);
    }

    [Fact]
    public void A_bearer_token_is_never_sent_over_plain_http()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));

        var error = Assert.Throws<InvalidOperationException>(() => new AzureBlobMailLedger(
            StorageConnection.WithTokenCredential(credential, null, new Uri(PeersEnvironment.Get("AZURITE_BLOB_ENDPOINT"))), _options));

        Assert.Contains("https", error.Message);
        Assert.Empty(credential.RequestedScopes);
    }
}
