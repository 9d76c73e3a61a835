using Microsoft.Azure.Functions.Worker;
using TokenBroker.Jobs;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Telemetry;

namespace TokenBroker.Functions;

/// <summary>
/// Sends or fetches for one message of mail-requests. A request that can never succeed is returned on the poison
/// output with a mail.failed event (no retry loop); a transient failure throws, so the queue retries it.
/// </summary>
public sealed class MailWorkerFunction(MailRequestWorker worker, BrokerMetrics metrics, TimeProvider time)
{
    public const string FunctionName = "MailWorker";
    public const string QueueName = "mail-requests";
    public const string PoisonQueueName = "mail-requests-poison";
    public const string EventsQueueName = "broker-events";

    [Function(FunctionName)]
    public async Task<MailWorkerOutputs> RunAsync(
        [QueueTrigger(QueueName, Connection = FunctionConnections.Storage)] string message,
        DateTimeOffset? insertionTime,
        CancellationToken cancellationToken)
    {
        if (insertionTime is { } inserted)
            metrics.RecordQueueWait(QueueName, time.GetUtcNow() - inserted);
        var outputs = new InvocationOutputs();
        await worker.RunAsync(message, outputs, cancellationToken).ConfigureAwait(false);
        return new MailWorkerOutputs { Events = outputs[MailEvents.OutputBinding], Poison = outputs[MailEvents.PoisonBinding] };
    }
}

/// <summary>What one mail request produced; written to the queues only when the invocation succeeds.</summary>
public sealed class MailWorkerOutputs
{
    [QueueOutput(MailWorkerFunction.EventsQueueName, Connection = FunctionConnections.Storage)]
    public string[]? Events { get; init; }

    [QueueOutput(MailWorkerFunction.PoisonQueueName, Connection = FunctionConnections.Storage)]
    public string[]? Poison { get; init; }
}
