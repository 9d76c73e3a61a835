using Microsoft.Extensions.Logging;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// A connection slot in shared storage, renewed every third of its lease while this instance holds it, so a slot
/// outlives a slow send but not a dead instance. A renewal that finds the slot gone marks it lost; the connection is
/// then closed when returned instead of being kept idle.
/// </summary>
internal sealed class RenewedSlot : IConnectionSlot
{
    private readonly Func<CancellationToken, Task<bool>> _renew;
    private readonly Func<Task> _release;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _mailbox;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewals;
    private volatile bool _held = true;
    private int _disposed;

    /// <param name="renew">Extends the lease; false when the slot is no longer ours.</param>
    public RenewedSlot(string mailbox, TimeSpan lease, Func<CancellationToken, Task<bool>> renew, Func<Task> release, TimeProvider time, ILogger logger)
    {
        _mailbox = mailbox;
        _lease = lease;
        _renew = renew;
        _release = release;
        _time = time;
        _logger = logger;
        _renewals = RenewUntilReleasedAsync();
    }

    public bool IsHeld => _held;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewals.ConfigureAwait(false);
        _stop.Dispose();
        if (!_held) return;
        _held = false;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _release().WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Not released: the slot frees itself when its lease runs out.
            _logger.LogWarning("Releasing a connection slot of {Mailbox} failed; it frees itself within {Lease}: {Reason}", _mailbox, _lease, exception.Message);
        }
    }

    private async Task RenewUntilReleasedAsync()
    {
        var wait = _lease / 3;
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
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(_lease / 3);
                if (!await _renew(timeout.Token).ConfigureAwait(false))
                {
                    _held = false;
                    _logger.LogWarning("The connection slot of {Mailbox} was lost (its lease ran out); the connection is closed after this message.", _mailbox);
                    return;
                }
                wait = _lease / 3;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                _logger.LogWarning("Renewing the connection slot of {Mailbox} failed; trying again soon: {Reason}", _mailbox, exception.Message);
                wait = _lease / 10;
            }
        }
    }
}
