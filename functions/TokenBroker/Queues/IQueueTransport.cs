namespace TokenBroker.Queues;

/// <summary>
/// A queue service with Azure Storage queue semantics: a received message stays invisible for a lease,
/// carries a dequeue count, and must be deleted (done) or released (retry later) with its pop receipt.
/// Texts are the application's strings; a transport encodes them (base64) as its wire format requires.
/// </summary>
public interface IQueueTransport
{
    /// <summary>Creates the queue if it does not exist. Call it at start-up for every queue used: Azure refuses a send to a missing queue (QueueNotFound).</summary>
    Task CreateIfNotExistsAsync(string queueName, CancellationToken cancellationToken = default);

    /// <summary>Adds a message; <paramref name="initialVisibilityDelay"/> hides it for that long first.</summary>
    /// <exception cref="QueueMessageTooLargeException">The encoded message exceeds 64 KiB.</exception>
    Task SendAsync(string queueName, string messageText, TimeSpan? initialVisibilityDelay = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> (1-32) visible messages, hiding each for <paramref name="visibilityTimeout"/>
    /// and incrementing its dequeue count. Fewer (even none) may come back while more are visible; Azure counts the
    /// timeout in whole seconds, at least 1. Expired messages (time-to-live, 7 days by default) are never returned.
    /// </summary>
    Task<IReadOnlyList<ReceivedQueueMessage>> ReceiveAsync(string queueName, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Removes a received message for good. A stale pop receipt (the lease expired and someone else took it) throws <see cref="QueueLeaseLostException"/>.</summary>
    Task DeleteAsync(string queueName, ReceivedQueueMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a received message visible again after <paramref name="visibilityDelay"/> (a retry); the dequeue count is kept.
    /// The message's pop receipt is stale afterwards; a stale receipt throws <see cref="QueueLeaseLostException"/>.
    /// </summary>
    Task ReleaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityDelay, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the lease on a received message that is still being processed: it stays invisible for
    /// <paramref name="visibilityTimeout"/> from now (Azure: whole seconds, at least 1). Returns the message with its new pop
    /// receipt and <see cref="ReceivedQueueMessage.NextVisibleTime"/>; the old receipt is stale afterwards, so use the returned
    /// message for the later delete, release or renewal. A stale receipt throws <see cref="QueueLeaseLostException"/>.
    /// </summary>
    Task<ReceivedQueueMessage> RenewLeaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Approximate number of messages in the queue (visible or not); 0 when the queue does not exist.</summary>
    Task<int> GetApproximateCountAsync(string queueName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxMessages"/> (1-32) visible messages, oldest first, without leasing them or counting a
    /// dequeue (Azure's Peek Messages): for people looking at a queue, never for processing it.
    /// </summary>
    Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queueName, int maxMessages, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot peek at queues.");
}

/// <summary>A message looked at, not received: no pop receipt, so it can be neither deleted nor released with this.</summary>
public sealed record PeekedQueueMessage(string Id, string Text, long DequeueCount, DateTimeOffset InsertionTime);

/// <summary>A message as received: the text plus what the Functions host exposes as trigger metadata.</summary>
public sealed record ReceivedQueueMessage(
    string Id,
    string PopReceipt,
    string Text,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    DateTimeOffset NextVisibleTime);

public sealed class QueueMessageTooLargeException(int encodedBytes, int limit)
    : InvalidOperationException($"The queue message is {encodedBytes} bytes once encoded; the limit is {limit} bytes.")
{
    public int EncodedBytes { get; } = encodedBytes;
    public int Limit { get; } = limit;
}

public sealed class QueueLeaseLostException(string queueName, string messageId)
    : InvalidOperationException($"The lease on message {messageId} in queue '{queueName}' was lost (its pop receipt is stale); another consumer may be processing it.");
