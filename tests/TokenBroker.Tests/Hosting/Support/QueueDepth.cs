using TokenBroker.Queues;

namespace TokenBroker.Tests.Hosting.Support;

internal static class QueueDepth
{
    /// <summary>Waits (bounded) until the listener has drained or filled a queue to the given depth.</summary>
    public static async Task WaitForAsync(IQueueTransport transport, string queue, int depth, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (await transport.GetApproximateCountAsync(queue, limit.Token) != depth)
            await Task.Delay(20, limit.Token);
    }
}
