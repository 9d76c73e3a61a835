using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Queues;

namespace TokenBroker.Jobs.Events;

/// <summary>
/// Puts an event on <c>broker-events</c> (the record), keeps it in the journal (for people, when the host has one) and
/// sends it to the webhook (the nudge). Losing an event must not undo what it reports (the consent or the action is
/// stored by then), so a queue failure is logged, not thrown.
/// </summary>
public sealed class QueueBrokerEventSink(IQueueTransport transport, WebhookEventPublisher webhook, ILogger<QueueBrokerEventSink> logger, EventRecorder? journal = null)
    : IBrokerEventSink
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
        if (journal is not null) await journal.RecordAsync([brokerEvent.ToJson()], cancellationToken).ConfigureAwait(false);
        await webhook.PublishAsync([brokerEvent], cancellationToken).ConfigureAwait(false);
    }
}
