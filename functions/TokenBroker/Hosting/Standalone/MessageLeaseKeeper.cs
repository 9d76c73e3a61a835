using Microsoft.Extensions.Logging;
using TokenBroker.Queues;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Keeps a received message hidden while its handler runs, as the Functions host does: every half lease it renews the
/// lease for another full one, so a long invocation (a big fetch) is not handed to a second worker halfway. Each renewal
/// brings a new pop receipt; <see cref="StopAsync"/> returns the message with the latest one for the delete or release.
/// A failed renewal is logged and tried again sooner; a lost lease ends the renewals (the message will reappear).
/// </summary>
internal sealed class MessageLeaseKeeper
{
    private readonly IQueueTransport _transport;
    private readonly string _queueName;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewals;
    private ReceivedQueueMessage _message;

    private MessageLeaseKeeper(IQueueTransport transport, string queueName, ReceivedQueueMessage message, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _queueName = queueName;
        _message = message;
        _lease = lease;
        _time = time;
        _logger = logger;
        _renewals = RenewUntilStoppedAsync();
    }

    /// <summary>How long after a renewal the next one is due: half the lease leaves the other half for a slow or failed call.</summary>
    public TimeSpan RenewalInterval => _lease / 2;

    /// <summary>After a failed renewal: soon enough for two more tries before the lease ends.</summary>
    public TimeSpan RetryInterval => _lease / 8;

    /// <param name="lease">How long each renewal hides the message (the listener's MessageLease).</param>
    public static MessageLeaseKeeper Start(IQueueTransport transport, string queueName, ReceivedQueueMessage message, TimeSpan lease, TimeProvider time, ILogger logger) =>
        new(transport, queueName, message, lease, time, logger);

    /// <summary>Stops renewing (a renewal under way completes first, so its new receipt is not lost) and returns the message
    /// with its current pop receipt.</summary>
    public async Task<ReceivedQueueMessage> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewals.ConfigureAwait(false);
        _stop.Dispose();
        return _message;
    }

    private async Task RenewUntilStoppedAsync()
    {
        var wait = RenewalInterval;
        while (true)
        {
            try
            {
                await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // Not cancelled by StopAsync: an abandoned renewal may still take effect, leaving us with a stale receipt.
                _message = await _transport.RenewLeaseAsync(_queueName, _message, _lease, CancellationToken.None).ConfigureAwait(false);
                wait = RenewalInterval;
            }
            catch (QueueLeaseLostException lost)
            {
                _logger.LogWarning("Renewing the lease of message {MessageId} of queue '{Queue}' failed for good; it may be handled twice: {Reason}", _message.Id, _queueName, lost.Message);
                return;
            }
            catch (Exception exception)
            {
                _logger.LogWarning("Renewing the lease of message {MessageId} of queue '{Queue}' failed; trying again in {Delay}: {Reason}", _message.Id, _queueName, RetryInterval, exception.Message);
                wait = RetryInterval;
            }
        }
    }
}
