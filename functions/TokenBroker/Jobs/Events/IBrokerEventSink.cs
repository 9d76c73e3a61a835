namespace TokenBroker.Jobs.Events;

/// <summary>
/// Where events go that happen outside a function with a queue output (a consent completed through the callback,
/// a device code or an import): the <c>broker-events</c> queue and the webhook, like the refresh timer's events.
/// </summary>
public interface IBrokerEventSink
{
    Task PublishAsync(BrokerEvent brokerEvent, CancellationToken cancellationToken = default);
}
