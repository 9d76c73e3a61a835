using TokenBroker.Hosting;
using TokenBroker.Jobs.Events;
using TokenBroker.Queues;

namespace TokenBroker.Tests.Cli.Support;

/// <summary>Reads what is waiting on broker-events in a data folder's SQLite queue, as a consumer of the events would.</summary>
internal static class BrokerEventsQueue
{
    public static async Task<IReadOnlyList<BrokerEvent>> ReadAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        await using var transport = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(dataDirectory, QueueTransportRegistration.DatabaseFileName) });
        await transport.CreateIfNotExistsAsync(QueueBrokerEventSink.QueueName, cancellationToken);
        var messages = await transport.ReceiveAsync(QueueBrokerEventSink.QueueName, 32, TimeSpan.FromMinutes(1), cancellationToken);
        return messages.Select(m => BrokerEvent.Parse(m.Text)).ToList();
    }
}
