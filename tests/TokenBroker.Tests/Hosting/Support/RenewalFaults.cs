using TokenBroker.Queues;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>A transport whose lease renewals fail as the test says (the next <see cref="FailNext"/> calls throw
/// <see cref="Failure"/>); every other call goes to the real transport. Counts the renewals attempted.</summary>
internal sealed class RenewalFaults(IQueueTransport inner) : IQueueTransport
{
    private int _renewals;

    public int FailNext { get; set; }
    public Func<string, ReceivedQueueMessage, Exception> Failure { get; set; } = (_, _) => new HttpRequestException("connection refused (injected)");
    public int Renewals => Volatile.Read(ref _renewals);

    public Task<ReceivedQueueMessage> RenewLeaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _renewals);
        if (FailNext > 0)
        {
            FailNext--;
            return Task.FromException<ReceivedQueueMessage>(Failure(queueName, message));
        }
        return inner.RenewLeaseAsync(queueName, message, visibilityTimeout, cancellationToken);
    }

    public Task CreateIfNotExistsAsync(string queueName, CancellationToken cancellationToken = default) => inner.CreateIfNotExistsAsync(queueName, cancellationToken);
    public Task SendAsync(string queueName, string messageText, TimeSpan? initialVisibilityDelay = null, CancellationToken cancellationToken = default) => inner.SendAsync(queueName, messageText, initialVisibilityDelay, cancellationToken);
    public Task<IReadOnlyList<ReceivedQueueMessage>> ReceiveAsync(string queueName, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => inner.ReceiveAsync(queueName, maxMessages, visibilityTimeout, cancellationToken);
    public Task DeleteAsync(string queueName, ReceivedQueueMessage message, CancellationToken cancellationToken = default) => inner.DeleteAsync(queueName, message, cancellationToken);
    public Task ReleaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityDelay, CancellationToken cancellationToken = default) => inner.ReleaseAsync(queueName, message, visibilityDelay, cancellationToken);
    public Task<int> GetApproximateCountAsync(string queueName, CancellationToken cancellationToken = default) => inner.GetApproximateCountAsync(queueName, cancellationToken);
}
