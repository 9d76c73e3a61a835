using Azure;
using Azure.Storage.Queues;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

/// <summary>The shared specification against Azurite (infra/local/peers/azurite.sh), with the connection string (Shared Key over http).</summary>
public sealed class AzureStorageQueueTransportTests : QueueTransportSpecification
{
    private static readonly TimeSpan ServerRounding = TimeSpan.FromMilliseconds(1200);

    private static string ConnectionString => PeersEnvironment.Get("AZURITE_CONNECTION_STRING");

    protected override TimeSpan Lease => TimeSpan.FromSeconds(3);

    protected override IQueueTransport CreateTransport() => new AzureStorageQueueTransport(StorageConnection.FromConnectionString(ConnectionString));

    // Azurite keeps real time: the lease is 3 s, so the wait is short and bounded.
    protected override Task LetTimePassAsync(TimeSpan duration) => Task.Delay(duration + ServerRounding, Ct);

    [Fact]
    public async Task A_wrong_account_key_is_refused_with_403_and_a_clear_error()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var transport = new AzureStorageQueueTransport(StorageConnection.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName={PeersEnvironment.Get("AZURITE_ACCOUNT_NAME")};AccountKey={wrongKey};QueueEndpoint={PeersEnvironment.Get("AZURITE_QUEUE_ENDPOINT")}"),
            new AzureQueueTransportOptions { MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => transport.SendAsync(Queue, "x", cancellationToken: Ct));

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
        Assert.Contains("account key", error.Message);
        Assert.DoesNotContain(wrongKey, error.Message);
    }

    [Fact]
    public async Task Sending_to_a_queue_that_was_never_created_fails_with_queue_not_found()
    {
        var transport = CreateTransport();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => transport.SendAsync("missing-" + Guid.NewGuid().ToString("N")[..8], "x", cancellationToken: Ct));

        Assert.Equal(404, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Messages_are_base64_on_the_wire_like_the_functions_host_writes_them()
    {
        using var capture = new CapturingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(capture);
        var transport = new AzureStorageQueueTransport(StorageConnection.FromConnectionString(ConnectionString), httpClient: http);

        await transport.SendAsync(Queue, "{\"a\":\"<&>\"}", cancellationToken: Ct);

        Assert.Contains("<MessageText>eyJhIjoiPCY+In0=</MessageText>", capture.LastRequestBody);
    }

    [Fact]
    public async Task A_message_put_unencoded_moves_to_the_poison_queue_text_unchanged_and_the_next_one_is_received()
    {
        var unencoded = new QueueClient(ConnectionString, Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await unencoded.SendMessageAsync("not base64 {*}", cancellationToken: Ct);
        var transport = CreateTransport();
        await transport.SendAsync(Queue, "readable", cancellationToken: Ct);

        var received = await transport.ReceiveAsync(Queue, 32, Lease, Ct);

        Assert.Equal("readable", Assert.Single(received).Text);
        Assert.Equal(1, await transport.GetApproximateCountAsync(Queue, Ct));
        var poison = new QueueClient(ConnectionString, Queue + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var moved = Assert.Single((await poison.ReceiveMessagesAsync(32, cancellationToken: Ct)).Value);
        Assert.Equal("not base64 {*}", moved.Body.ToString());
    }

    [Fact]
    public async Task A_message_the_functions_host_would_write_is_read_back()
    {
        // What a queue output binding writes with the default base64 encoding: the SDK's own Base64 client.
        var host = new QueueClient(ConnectionString, Queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await host.SendMessageAsync("{\"mailbox\":\"a@b.example\"}", cancellationToken: Ct);

        Assert.Equal("{\"mailbox\":\"a@b.example\"}", Assert.Single(await CreateTransport().ReceiveAsync(Queue, 1, Lease, Ct)).Text);
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
