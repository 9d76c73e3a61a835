using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Queues;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Feeds one queue function from a queue transport the way the Functions queue trigger does: at-least-once,
/// batches with a refill threshold, a retry delay, poison after maxDequeueCount, polling back-off when idle, and the
/// lease of a message renewed while its handler runs (<see cref="MessageLeaseKeeper"/>).
/// </summary>
internal sealed class QueueListener(
    QueueFunction function,
    string queueName,
    IReadOnlyDictionary<string, string> outputQueues,
    IQueueTransport transport,
    FunctionInvoker invoker,
    QueueHostingOptions options,
    TimeProvider time,
    ILogger logger)
{
    public string QueueName => queueName;
    public string PoisonQueueName => PoisonQueue.NameFor(queueName);

    public async Task RunAsync(CancellationToken stopping)
    {
        await transport.CreateIfNotExistsAsync(queueName, stopping);
        await transport.CreateIfNotExistsAsync(PoisonQueueName, stopping);
        foreach (var output in outputQueues.Values)
            await transport.CreateIfNotExistsAsync(output, stopping);

        var inFlight = new List<Task>();
        var idleDelay = options.MinPollingInterval;
        while (!stopping.IsCancellationRequested)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > options.EffectiveNewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            IReadOnlyList<ReceivedQueueMessage> batch;
            try
            {
                batch = await transport.ReceiveAsync(queueName, options.BatchSize, options.MessageLease, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogWarning("Receiving from queue '{Queue}' failed, retrying in {Delay}: {Reason}", queueName, idleDelay, exception.Message);
                batch = [];
            }

            if (batch.Count == 0)
            {
                await DelayAsync(idleDelay, stopping);
                idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, options.MaxPollingInterval.Ticks));
                continue;
            }
            idleDelay = options.MinPollingInterval;
            foreach (var message in batch)
                inFlight.Add(ProcessAsync(message, stopping));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try { await Task.Delay(delay, time, stopping); }
        catch (OperationCanceledException) { }
    }

    private async Task ProcessAsync(ReceivedQueueMessage message, CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, $"it was dequeued {message.DequeueCount} times without completing (a handler crashed or ran past its lease)");
                return;
            }

            var lease = MessageLeaseKeeper.Start(transport, queueName, message, options.MessageLease, time, logger);
            FunctionRunResult result;
            try
            {
                result = await invoker.InvokeQueueAsync(function, ToTrigger(message), stopping);
            }
            finally
            {
                // Renewals replace the pop receipt: settle the message with the latest one.
                message = await lease.StopAsync();
            }
            if (result.Succeeded)
            {
                await OutputBindingWriter.WriteAsync(function.Name, result, outputQueues, transport);
                await transport.DeleteAsync(queueName, message, CancellationToken.None);
            }
            else if (stopping.IsCancellationRequested)
            {
                await transport.ReleaseAsync(queueName, message, TimeSpan.Zero, CancellationToken.None);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, $"its handler failed on all {message.DequeueCount} attempts; last failure: {result.Failure!.Message}");
            }
            else
            {
                await transport.ReleaseAsync(queueName, message, options.VisibilityTimeout, CancellationToken.None);
            }
        }
        catch (QueueLeaseLostException lost)
        {
            logger.LogWarning("{Reason}", lost.Message);
        }
        catch (Exception exception)
        {
            // The message stays leased and reappears when the lease ends: nothing is lost.
            logger.LogError("Settling message {MessageId} of queue '{Queue}' failed; it will reappear after its lease: {Reason}", message.Id, queueName, exception.Message);
        }
    }

    private async Task MoveToPoisonAsync(ReceivedQueueMessage message, string reason)
    {
        // Send before delete: a crash in between duplicates into the poison queue rather than losing the message.
        await transport.SendAsync(PoisonQueueName, message.Text, cancellationToken: CancellationToken.None);
        await transport.DeleteAsync(queueName, message, CancellationToken.None);
        logger.LogError("Message {MessageId} of queue '{Queue}' moved to '{PoisonQueue}' because {Reason}.", message.Id, queueName, PoisonQueueName, reason);
    }

    private static QueueTriggerMessage ToTrigger(ReceivedQueueMessage message) =>
        new(message.Text, message.Id, message.DequeueCount, message.InsertionTime, message.ExpirationTime, message.NextVisibleTime, message.PopReceipt);
}
