using System.Threading.RateLimiting;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// One mailbox's rate limits: messages per minute (sliding window, waits) and recipients per rolling day (sliding
/// window, refuses). The windows slide on timers from the injected <see cref="TimeProvider"/>, so tests move time by hand.
/// </summary>
internal sealed class MailboxSendLimits : IDisposable
{
    private const int MinuteSegments = 6;
    private const int DaySegments = 24;
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly SlidingWindowRateLimiter _messages;
    private readonly SlidingWindowRateLimiter _recipients;
    private readonly ITimer _minuteTimer;
    private readonly ITimer _dayTimer;

    public MailboxSendLimits(MailGovernorOptions options, TimeProvider timeProvider)
    {
        _messages = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.MessagesPerMinute,
            Window = Minute,
            SegmentsPerWindow = MinuteSegments,
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _recipients = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.RecipientsPerDay,
            Window = Day,
            SegmentsPerWindow = DaySegments,
            AutoReplenishment = false,
            QueueLimit = 0,
        });
        var minuteStep = Minute / MinuteSegments;
        var dayStep = Day / DaySegments;
        _minuteTimer = timeProvider.CreateTimer(_ => _messages.TryReplenish(), null, minuteStep, minuteStep);
        _dayTimer = timeProvider.CreateTimer(_ => _recipients.TryReplenish(), null, dayStep, dayStep);
        RecipientsPerDay = options.RecipientsPerDay;
        MessagesPerMinute = options.MessagesPerMinute;
    }

    public int RecipientsPerDay { get; }
    public int MessagesPerMinute { get; }

    /// <summary>Waits until the mailbox may send one more message this minute.</summary>
    public async Task<RateLimitLease> AcquireMessageAsync(CancellationToken cancellationToken)
    {
        var lease = await _messages.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new InvalidOperationException("The per-minute message limiter refused a permit although it queues without bound.");
        }
        return lease;
    }

    /// <summary>Takes <paramref name="recipients"/> from today's budget, or returns false when the budget cannot cover them.</summary>
    public bool TryTakeRecipients(int recipients)
    {
        // A message with more recipients than a whole day allows can never go: clamp so it fails permanently elsewhere, not here.
        using var lease = _recipients.AttemptAcquire(Math.Min(recipients, RecipientsPerDay));
        return lease.IsAcquired;
    }

    public long AvailableRecipients => _recipients.GetStatistics()?.CurrentAvailablePermits ?? 0;

    public void Dispose()
    {
        _minuteTimer.Dispose();
        _dayTimer.Dispose();
        _messages.Dispose();
        _recipients.Dispose();
    }
}
