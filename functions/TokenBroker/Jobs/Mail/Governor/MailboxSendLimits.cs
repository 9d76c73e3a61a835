using System.Threading.RateLimiting;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// One mailbox's rate limits, on the injected <see cref="TimeProvider"/>: messages per rolling minute (waits) and
/// recipients per rolling day (refuses, so the message goes back to the queue instead of holding a worker for hours).
/// </summary>
internal sealed class MailboxSendLimits : IDisposable
{
    private readonly RateLimiter _messages;
    private readonly RateLimiter _recipients;

    public MailboxSendLimits(MailGovernorOptions options, TimeProvider timeProvider)
    {
        _messages = new SlidingLogRateLimiter(options.MessagesPerMinute, TimeSpan.FromMinutes(1), queueLimit: int.MaxValue, timeProvider);
        _recipients = new SlidingLogRateLimiter(options.RecipientsPerDay, TimeSpan.FromDays(1), queueLimit: 0, timeProvider);
        RecipientsPerDay = options.RecipientsPerDay;
    }

    public int RecipientsPerDay { get; }

    /// <summary>Waits until the mailbox may send one more message this minute.</summary>
    public async Task<RateLimitLease> AcquireMessageAsync(CancellationToken cancellationToken)
    {
        var lease = await _messages.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new ObjectDisposedException(nameof(MailboxSendLimits), "The send governor is shutting down.");
    }

    /// <summary>Takes <paramref name="recipients"/> from the rolling day's budget, or returns false when it cannot cover them.</summary>
    public bool TryTakeRecipients(int recipients)
    {
        // More recipients than a whole day allows can never fit: ask for the whole day, which fails until it is all free.
        using var lease = _recipients.AttemptAcquire(Math.Min(recipients, RecipientsPerDay));
        return lease.IsAcquired;
    }

    public long AvailableRecipients => _recipients.GetStatistics()?.CurrentAvailablePermits ?? 0;

    public void Dispose()
    {
        _messages.Dispose();
        _recipients.Dispose();
    }
}
