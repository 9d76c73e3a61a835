using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting;

/// <summary>
/// The standalone broker on Azurite renews the lease (Update Message) of a message whose handler outlives it, and deletes
/// the message with the pop receipt of the last renewal. Azurite keeps real time: the lease is 4 s (renewed every 2 s, which leaves
/// room for a slow call on a busy machine), the wait 9 s.
/// </summary>
public sealed class StandaloneAzureLeaseRenewalTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);
    private readonly InvocationGate _gate = new();
    private readonly string _queue = "azure-slow-" + Guid.NewGuid().ToString("n")[..12];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_handler_running_more_than_twice_as_long_as_the_lease_is_not_redelivered_and_its_message_is_deleted_after_success()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone,
            FunctionCatalog.ForTypes([typeof(GatedQueueFunction)]),
            services => services.AddSingleton(_gate),
            new Dictionary<string, string>
            {
                ["Queues:Transport"] = "azure",
                ["AzureWebJobsStorage"] = PeersEnvironment.Get("AZURITE_CONNECTION_STRING"),
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
                ["Queues:MessageLease"] = Lease.ToString(),
                ["SlowQueue"] = _queue,
            });
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        var competitor = new AzureStorageQueueTransport(StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING")));
        await transport.CreateIfNotExistsAsync(_queue, Ct);
        await transport.SendAsync(_queue, "a long fetch", cancellationToken: Ct);
        await _gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var until = DateTime.UtcNow + 2 * Lease + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < until)
        {
            Assert.Empty(await competitor.ReceiveAsync(_queue, 1, TimeSpan.FromSeconds(1), Ct));
            await Task.Delay(250, Ct);
        }
        _gate.Finish.SetResult();
        await QueueDepth.WaitForAsync(transport, _queue, 0, TimeSpan.FromSeconds(15));

        Assert.Equal(1, _gate.Invocations);
    }
}
