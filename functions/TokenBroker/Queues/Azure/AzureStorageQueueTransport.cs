using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using TokenBroker.AzureStorage;

namespace TokenBroker.Queues;

/// <summary>
/// Azure Storage queues over the REST API (Azure.Storage.Queues is not available here). Authorizes with
/// Shared Key (connection strings) or an Entra bearer token (identity-based connections); see
/// <see cref="QueueConnection"/>. Visibility timeouts and delays are whole seconds on the wire (rounded up;
/// a receive hides for at least 1 s), as the service requires.
/// </summary>
public sealed class AzureStorageQueueTransport : IQueueTransport, IDisposable
{
    private readonly Uri _serviceUri;
    private readonly AzureQueueTransportOptions _options;
    private readonly StorageHttpPipeline _pipeline;
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;

    /// <param name="httpClient">Null: the transport makes and owns its own. A caller's client is not disposed with the transport.</param>
    /// <param name="logger">Retries are logged as warnings (operation, attempt, status; never headers).</param>
    public AzureStorageQueueTransport(QueueConnection connection, AzureQueueTransportOptions? options = null, HttpClient? httpClient = null,
        TimeProvider? timeProvider = null, ILogger<AzureStorageQueueTransport>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        StorageHttpPipeline.EnsureProtected(connection.QueueServiceUri, StorageService.Queue);
        _serviceUri = connection.QueueServiceUri;
        _options = options ?? new AzureQueueTransportOptions();
        _ownsHttpClient = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        var time = timeProvider ?? TimeProvider.System;
        _pipeline = new StorageHttpPipeline(_http, StorageRequestAuthenticator.For(connection.Account, time), _options, time, StorageService.Queue, logger);
    }

    public async Task CreateIfNotExistsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        using var response = await _pipeline.SendAsync("Create Queue",
            () => Request(HttpMethod.Put, queueName, "", content: EmptyContent()), cancellationToken).ConfigureAwait(false);
        // 201 created, 204 already there; 409 already there with other metadata: all mean the queue exists.
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict) return;
        throw await FailureAsync("Create Queue", response, cancellationToken).ConfigureAwait(false);
    }

    public async Task SendAsync(string queueName, string messageText, TimeSpan? initialVisibilityDelay = null, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        QueueMessageLimits.EnsureFits(messageText);
        var delay = initialVisibilityDelay ?? TimeSpan.Zero;
        QueueMessageLimits.EnsureVisibility(delay, nameof(initialVisibilityDelay));
        var body = Encoding.UTF8.GetBytes(AzureQueueXml.PutMessageBody(messageText));
        var query = $"visibilitytimeout={Seconds(delay)}&messagettl={Seconds(_options.MessageTimeToLive)}";
        using var response = await _pipeline.SendAsync("Put Message",
            () => Request(HttpMethod.Post, $"{queueName}/messages", query, XmlContent(body)), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync("Put Message", response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReceivedQueueMessage>> ReceiveAsync(string queueName, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        QueueMessageLimits.EnsureBatchSize(maxMessages);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        var query = $"numofmessages={maxMessages}&visibilitytimeout={Math.Max(1, Seconds(visibilityTimeout))}";
        using var response = await _pipeline.SendAsync("Get Messages",
            () => Request(HttpMethod.Get, $"{queueName}/messages", query), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync("Get Messages", response, cancellationToken).ConfigureAwait(false);
        return AzureQueueXml.ParseMessages(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    public async Task DeleteAsync(string queueName, ReceivedQueueMessage message, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        var query = $"popreceipt={Uri.EscapeDataString(message.PopReceipt)}";
        var attempts = new StrongBox<int>();
        using var response = await _pipeline.SendAsync("Delete Message",
            () => Request(HttpMethod.Delete, MessagePath(queueName, message), query), attempts, cancellationToken).ConfigureAwait(false);
        // A retried delete whose earlier attempt went through (its answer was lost) finds the message gone: done.
        if (attempts.Value > 1 && response.StatusCode == HttpStatusCode.NotFound && ErrorCode(response) == "MessageNotFound") return;
        await EnsureLeaseHeldAsync("Delete Message", queueName, message, response, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityDelay, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityDelay, nameof(visibilityDelay));
        // Update Message without a body changes only the visibility; the service answers with a new pop receipt.
        var query = $"popreceipt={Uri.EscapeDataString(message.PopReceipt)}&visibilitytimeout={Seconds(visibilityDelay)}";
        var attempts = new StrongBox<int>();
        using var response = await _pipeline.SendAsync("Update Message",
            () => Request(HttpMethod.Put, MessagePath(queueName, message), query, EmptyContent()), attempts, cancellationToken).ConfigureAwait(false);
        // A retried release whose earlier attempt went through (its answer was lost) finds the receipt replaced: done.
        if (attempts.Value > 1 && response.StatusCode == HttpStatusCode.BadRequest && ErrorCode(response) == "PopReceiptMismatch") return;
        await EnsureLeaseHeldAsync("Update Message", queueName, message, response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ReceivedQueueMessage> RenewLeaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        var query = $"popreceipt={Uri.EscapeDataString(message.PopReceipt)}&visibilitytimeout={Math.Max(1, Seconds(visibilityTimeout))}";
        // Unlike a release, a retried renewal whose earlier attempt went through cannot be completed: that attempt's new
        // receipt is unknown, so the mismatch it meets means the lease is lost (the message reappears after the timeout).
        using var response = await _pipeline.SendAsync("Update Message",
            () => Request(HttpMethod.Put, MessagePath(queueName, message), query, EmptyContent()), cancellationToken).ConfigureAwait(false);
        await EnsureLeaseHeldAsync("Update Message", queueName, message, response, cancellationToken).ConfigureAwait(false);
        var receipt = Header(response, "x-ms-popreceipt")
            ?? throw new FormatException("The queue service's Update Message response has no x-ms-popreceipt header.");
        var nextVisible = Header(response, "x-ms-time-next-visible")
            ?? throw new FormatException("The queue service's Update Message response has no x-ms-time-next-visible header.");
        return message with { PopReceipt = receipt, NextVisibleTime = AzureQueueXml.ParseDate(nextVisible) };
    }

    public async Task<int> GetApproximateCountAsync(string queueName, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        using var response = await _pipeline.SendAsync("Get Queue Metadata",
            () => Request(HttpMethod.Get, queueName, "comp=metadata"), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return 0;
        if (!response.IsSuccessStatusCode)
            throw await FailureAsync("Get Queue Metadata", response, cancellationToken).ConfigureAwait(false);
        return response.Headers.TryGetValues("x-ms-approximate-messages-count", out var values)
               && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new FormatException("The queue service's metadata response has no x-ms-approximate-messages-count header.");
    }

    public void Dispose()
    {
        if (_ownsHttpClient) _http.Dispose();
    }

    // A stale receipt: 404 MessageNotFound once the message is gone, 400 PopReceiptMismatch (or an invalid
    // receipt value) when someone else received it since.
    private static async Task EnsureLeaseHeldAsync(string operation, string queueName, ReceivedQueueMessage message, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var failure = await FailureAsync(operation, response, cancellationToken).ConfigureAwait(false);
        if (failure.ErrorCode is "MessageNotFound" or "PopReceiptMismatch"
            || (failure.Status == HttpStatusCode.BadRequest && failure.ErrorCode is "InvalidQueryParameterValue" && failure.Message.Contains("popreceipt", StringComparison.OrdinalIgnoreCase)))
            throw new QueueLeaseLostException(queueName, message.Id);
        throw failure;
    }

    private static async Task<QueueRequestFailedException> FailureAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (code, message) = await StorageHttpPipeline.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return new QueueRequestFailedException(operation, response.StatusCode, code, message);
    }

    private static string? ErrorCode(HttpResponseMessage response) => Header(response, "x-ms-error-code");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private HttpRequestMessage Request(HttpMethod method, string path, string query, HttpContent? content = null)
    {
        var uri = new UriBuilder(_serviceUri) { Query = query };
        uri.Path = uri.Path.TrimEnd('/') + "/" + path;
        return new HttpRequestMessage(method, uri.Uri) { Content = content };
    }

    private static string MessagePath(string queueName, ReceivedQueueMessage message) =>
        $"{queueName}/messages/{Uri.EscapeDataString(message.Id)}";

    private static ByteArrayContent XmlContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml") { CharSet = "utf-8" };
        return content;
    }

    private static ByteArrayContent EmptyContent() => new([]);

    private static long Seconds(TimeSpan value) => (long)Math.Ceiling(value.TotalSeconds);
}
