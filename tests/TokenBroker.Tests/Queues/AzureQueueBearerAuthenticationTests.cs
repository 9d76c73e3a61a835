using Azure;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;
using TokenBroker.Tests.StorageAccount;

namespace TokenBroker.Tests.Queues;

/// <summary>Identity-based connections (managed identity in Azure) against the https Azurite queue instance started with `--oauth basic`.</summary>
public sealed class AzureQueueBearerAuthenticationTests : IDisposable
{
    private readonly HttpClient _http = AzuriteOAuth.TrustingTestCa();
    private readonly string _queue = "bearer-" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    private AzureStorageQueueTransport Transport(UnsignedStorageTokenCredential credential) =>
        new(StorageConnection.WithTokenCredential(credential, AzuriteOAuth.QueueEndpoint, null), httpClient: _http);

    [Fact]
    public async Task A_token_for_the_storage_audience_is_sent_as_a_bearer_header_and_accepted()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));
        var transport = Transport(credential);

        await transport.CreateIfNotExistsAsync(_queue, Ct);
        await transport.SendAsync(_queue, "via bearer", cancellationToken: Ct);
        var received = Assert.Single(await transport.ReceiveAsync(_queue, 1, TimeSpan.FromSeconds(30), Ct));
        var renewed = await transport.RenewLeaseAsync(_queue, received, TimeSpan.FromSeconds(30), Ct);
        await transport.DeleteAsync(_queue, renewed, Ct);

        Assert.Equal("via bearer", received.Text);
        Assert.Equal([StorageConnection.StorageAudienceScope], credential.RequestedScopes.Distinct());
        Assert.Equal(0, await transport.GetApproximateCountAsync(_queue, Ct));
    }

    [Fact]
    public async Task The_token_is_reused_until_it_nears_expiry()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));
        var transport = Transport(credential);

        await transport.CreateIfNotExistsAsync(_queue, Ct);
        for (var i = 0; i < 3; i++) await transport.SendAsync(_queue, $"m{i}", cancellationToken: Ct);

        Assert.Single(credential.RequestedScopes);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_a_clear_error()
    {
        var transport = Transport(new UnsignedStorageTokenCredential(TimeSpan.FromMinutes(-10)));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => transport.CreateIfNotExistsAsync(_queue, Ct));

        Assert.Contains(error.Status, new[] { 401, 403 });
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
        Assert.Contains("Storage Queue Data Contributor", error.Message);
    }

    [Fact]
    public void A_bearer_token_is_never_sent_over_plain_http()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));

        var error = Assert.Throws<InvalidOperationException>(() =>
            new AzureStorageQueueTransport(StorageConnection.WithTokenCredential(credential, new Uri("http://127.0.0.1:9/devstoreaccount1"), null)));

        Assert.Contains("https", error.Message);
        Assert.Empty(credential.RequestedScopes);
    }
}
