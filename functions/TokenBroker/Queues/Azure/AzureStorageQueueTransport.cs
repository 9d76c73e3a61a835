using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.StorageAccount;

namespace TokenBroker.Queues;

/// <summary>
/// Azure Storage queues through Azure.Storage.Queues. Texts travel base64-encoded (UTF-8), the Functions host's default
/// "messageEncoding", so a message put here triggers a host function and vice versa. Visibility timeouts and delays are
/// whole seconds on the wire (rounded up; a receive or renewal hides for at least 1 s), as the service requires. The
/// service refusing the credentials is explained (<see cref="StorageAccessDenied"/>); other failures are the SDK's
/// <see cref="RequestFailedException"/>, after the retries of <see cref="AzureQueueTransportOptions"/>.
/// </summary>
public sealed class AzureStorageQueueTransport : IQueueTransport
{
    private readonly QueueServiceClient _service;
    private readonly AzureQueueTransportOptions _options;

    /// <param name="httpClient">Null: the SDK's shared transport. A caller's client is used as is and not disposed.</param>
    /// <param name="logger">Failed attempts and messages moved to poison are logged as warnings (never headers or texts).</param>
    /// <exception cref="InvalidOperationException">The connection has no queue endpoint, or one it must not use.</exception>
    public AzureStorageQueueTransport(StorageConnection connection, AzureQueueTransportOptions? options = null, HttpClient? httpClient = null,
        ILogger<AzureStorageQueueTransport>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _options = options ?? new AzureQueueTransportOptions();
        _options.Validate();
        var log = logger ?? (ILogger)NullLogger.Instance;
        var unencoded = connection.CreateQueueServiceClient(ClientOptions(QueueMessageEncoding.None, httpClient, log));
        var encoded = ClientOptions(QueueMessageEncoding.Base64, httpClient, log);
        new UndecodableMessageHandler(unencoded, log).AttachTo(encoded);
        _service = connection.CreateQueueServiceClient(encoded);
    }

    public async Task CreateIfNotExistsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).GuardAsync(StorageService.Queue).ConfigureAwait(false);
    }

    public async Task SendAsync(string queueName, string messageText, TimeSpan? initialVisibilityDelay = null, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        QueueMessageLimits.EnsureFits(messageText);
        var delay = initialVisibilityDelay ?? TimeSpan.Zero;
        QueueMessageLimits.EnsureVisibility(delay, nameof(initialVisibilityDelay));
        await queue.SendMessageAsync(messageText, WholeSeconds(delay), WholeSeconds(_options.MessageTimeToLive), cancellationToken)
            .GuardAsync(StorageService.Queue).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReceivedQueueMessage>> ReceiveAsync(string queueName, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        QueueMessageLimits.EnsureBatchSize(maxMessages);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        var received = await queue.ReceiveMessagesAsync(maxMessages, AtLeastOneSecond(visibilityTimeout), cancellationToken)
            .GuardAsync(StorageService.Queue).ConfigureAwait(false);
        return received.Value.Select(ToReceived).ToList();
    }

    public async Task DeleteAsync(string queueName, ReceivedQueueMessage message, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        ArgumentNullException.ThrowIfNull(message);
        using var attempts = new StorageAttemptCount();
        try
        {
            await queue.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken).GuardAsync(StorageService.Queue).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (attempts.WasRetried && e.ErrorCode == "MessageNotFound")
        {
            // A retried delete whose earlier attempt went through (its answer was lost) finds the message gone: done.
        }
        catch (RequestFailedException e) when (QueueReceipts.IsStale(e))
        {
            throw new QueueLeaseLostException(queueName, message.Id);
        }
    }

    public async Task ReleaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityDelay, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityDelay, nameof(visibilityDelay));
        using var attempts = new StorageAttemptCount();
        try
        {
            // Update Message without a text changes only the visibility; the service answers with a new pop receipt.
            await queue.UpdateMessageAsync(message.Id, message.PopReceipt, visibilityTimeout: WholeSeconds(visibilityDelay), cancellationToken: cancellationToken)
                .GuardAsync(StorageService.Queue).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (attempts.WasRetried && e.ErrorCode == "PopReceiptMismatch")
        {
            // A retried release whose earlier attempt went through (its answer was lost) finds the receipt replaced: done.
        }
        catch (RequestFailedException e) when (QueueReceipts.IsStale(e))
        {
            throw new QueueLeaseLostException(queueName, message.Id);
        }
    }

    public async Task<ReceivedQueueMessage> RenewLeaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        // Unlike a release, a retried renewal whose earlier attempt went through cannot be completed: that attempt's new
        // receipt is unknown, so the mismatch it meets means the lease is lost (the message reappears after the timeout).
        try
        {
            var receipt = await queue.UpdateMessageAsync(message.Id, message.PopReceipt, visibilityTimeout: AtLeastOneSecond(visibilityTimeout), cancellationToken: cancellationToken)
                .GuardAsync(StorageService.Queue).ConfigureAwait(false);
            return message with { PopReceipt = receipt.Value.PopReceipt, NextVisibleTime = receipt.Value.NextVisibleOn };
        }
        catch (RequestFailedException e) when (QueueReceipts.IsStale(e))
        {
            throw new QueueLeaseLostException(queueName, message.Id);
        }
    }

    public async Task<int> GetApproximateCountAsync(string queueName, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        try
        {
            var properties = await queue.GetPropertiesAsync(cancellationToken).GuardAsync(StorageService.Queue).ConfigureAwait(false);
            return properties.Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
    }

    public async Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queueName, int maxMessages, CancellationToken cancellationToken = default)
    {
        var queue = Queue(queueName);
        QueueMessageLimits.EnsureBatchSize(maxMessages);
        try
        {
            var peeked = await queue.PeekMessagesAsync(maxMessages, cancellationToken).GuardAsync(StorageService.Queue).ConfigureAwait(false);
            return peeked.Value.Select(m => new PeekedQueueMessage(m.MessageId, m.Body.ToString(), m.DequeueCount, m.InsertedOn ?? throw MissingProperty("InsertionTime"))).ToList();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    private QueueClient Queue(string queueName) => _service.GetQueueClient(QueueNames.Validate(queueName));

    private QueueClientOptions ClientOptions(QueueMessageEncoding encoding, HttpClient? httpClient, ILogger logger) =>
        StorageClientSetup.Configure(new QueueClientOptions { MessageEncoding = encoding }, _options, StorageService.Queue, httpClient, logger);

    private static ReceivedQueueMessage ToReceived(QueueMessage message) => new(
        Id: message.MessageId,
        PopReceipt: message.PopReceipt,
        Text: message.Body.ToString(),
        DequeueCount: message.DequeueCount,
        InsertionTime: message.InsertedOn ?? throw MissingProperty("InsertionTime"),
        ExpirationTime: message.ExpiresOn ?? throw MissingProperty("ExpirationTime"),
        NextVisibleTime: message.NextVisibleOn ?? throw MissingProperty("TimeNextVisible"));

    private static FormatException MissingProperty(string name) => new($"The queue service's message has no {name}.");

    // The SDK truncates to whole seconds; rounding up keeps a message hidden at least as long as asked.
    private static TimeSpan WholeSeconds(TimeSpan value) => TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));

    private static TimeSpan AtLeastOneSecond(TimeSpan value) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(value.TotalSeconds)));
}
