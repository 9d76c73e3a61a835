using System.Net;
using TokenBroker.Queues;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

/// <summary>The shared specification against Azurite (infra/local/peers/azurite.sh), authorized with Shared Key.</summary>
public sealed class AzureStorageQueueTransportTests : QueueTransportSpecification
{
    private static readonly TimeSpan ServerRounding = TimeSpan.FromMilliseconds(1200);

    protected override TimeSpan Lease => TimeSpan.FromSeconds(3);

    protected override IQueueTransport CreateTransport() =>
        new AzureStorageQueueTransport(QueueConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING")));

    // Azurite keeps real time: the lease is 3 s, so the wait is short and bounded.
    protected override Task LetTimePassAsync(TimeSpan duration) => Task.Delay(duration + ServerRounding, Ct);

    [Fact]
    public async Task A_wrong_account_key_is_refused_with_403_and_a_clear_error()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        using var transport = new AzureStorageQueueTransport(
            QueueConnection.WithSharedKey(new Uri(PeersEnvironment.Get("AZURITE_QUEUE_ENDPOINT")), PeersEnvironment.Get("AZURITE_ACCOUNT_NAME"), wrongKey));

        var error = await Assert.ThrowsAsync<QueueRequestFailedException>(() => transport.SendAsync(Queue, "x", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
        Assert.Contains("account key", error.Message);
    }

    [Fact]
    public async Task Sending_to_a_queue_that_was_never_created_fails_with_queue_not_found()
    {
        using var transport = (AzureStorageQueueTransport)CreateTransport();

        var error = await Assert.ThrowsAsync<QueueRequestFailedException>(() => transport.SendAsync("missing-" + Guid.NewGuid().ToString("N")[..8], "x", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Messages_are_base64_on_the_wire_like_the_functions_host_writes_them()
    {
        using var capture = new CapturingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(capture);
        using var transport = new AzureStorageQueueTransport(QueueConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING")), httpClient: http);

        await transport.SendAsync(Queue, "{\"a\":\"<&>\"}", cancellationToken: Ct);

        Assert.Contains("<MessageText>eyJhIjoiPCY+In0=</MessageText>", capture.LastRequestBody);
    }

    private sealed class CapturingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public string LastRequestBody { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequestBody = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
