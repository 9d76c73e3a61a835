namespace TokenBroker.Hosting.Functions;

/// <summary>A queue-triggered handler. Throwing fails the invocation: the message is retried, then poisoned.</summary>
public interface IQueueFunction
{
    Task RunAsync(QueueTriggerMessage message, FunctionContext context, CancellationToken cancellationToken);
}

/// <summary>The message text plus the trigger metadata the Functions host exposes.</summary>
public sealed record QueueTriggerMessage(
    string Text,
    string Id,
    long DequeueCount,
    DateTimeOffset? InsertionTime,
    DateTimeOffset? ExpirationTime,
    DateTimeOffset? NextVisibleTime,
    string? PopReceipt);
