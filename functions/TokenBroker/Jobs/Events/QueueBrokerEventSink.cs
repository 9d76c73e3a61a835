using Microsoft.Extensions.Logging;
using TokenBroker.Queues;

namespace TokenBroker.Jobs.Events;

/// <summary>
/// Puts an event on <c>broker-events</c> (the record) and sends it to the webhook (the nudge). Losing an event
/// must not undo what it reports (the consent is stored by then), so a queue failure is logged, not thrown.
/// </summary>
public sealed class QueueBrokerEventSink(IQueueTransport transport, WebhookEventPublisher webhook, ILogger<QueueBrokerEventSink> logger) : IBrokerEventSink
{
    public const string QueueName = "broker-events";

    public async Task PublishAsync(BrokerEvent brokerEvent, CancellationToken cancellationToken = default)
    {
        try
        {
            await transport.CreateIfNotExistsAsync(QueueName, cancellationToken).ConfigureAwait(false);
            await transport.SendAsync(QueueName, brokerEvent.ToJson(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError("Event {EventId} ({Type} for {Mailbox}) could not be put on {Queue}: {Reason}",
                brokerEvent.Id, brokerEvent.Type, brokerEvent.Mailbox, QueueName, exception.Message);
        }
        await webhook.PublishAsync([brokerEvent], cancellationToken).ConfigureAwait(false);
    }
}
