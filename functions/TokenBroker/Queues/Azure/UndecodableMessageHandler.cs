using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Queues;

/// <summary>
/// A message whose text is not base64 (put by a client that does not encode) cannot be decoded: the SDK leaves it out of
/// the receive and raises <see cref="QueueClientOptions.MessageDecodingFailed"/>. Left in the queue it would come back
/// after every lease until it expires, so it moves, text unchanged, to "&lt;queue&gt;-poison" as the Functions host moves it.
/// </summary>
internal sealed class UndecodableMessageHandler(QueueServiceClient unencodedService, ILogger logger)
{
    // The Functions host's poison queue convention (the standalone listener's PoisonQueue.NameFor).
    private const string PoisonSuffix = "-poison";

    public void AttachTo(QueueClientOptions options) => options.MessageDecodingFailed += args =>
    {
        // The transport only makes async calls, so the event is raised on async paths; a peek has nothing to move.
        return args.ReceivedMessage is { } message
            ? MoveToPoisonAsync(args.Queue, message.MessageId, message.PopReceipt, message.Body, args.CancellationToken)
            : Task.CompletedTask;
    };

    private async Task MoveToPoisonAsync(QueueClient queue, string messageId, string popReceipt, BinaryData wireText, CancellationToken cancellationToken)
    {
        var poisonName = queue.Name + PoisonSuffix;
        var poison = unencodedService.GetQueueClient(poisonName);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(wireText, cancellationToken: cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Queue '{Queue}': message {MessageId} is not base64, so no handler can read it; moved to '{PoisonQueue}'.",
            queue.Name, messageId, poisonName);
    }
}
