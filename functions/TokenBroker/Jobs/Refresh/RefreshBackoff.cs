using System.Collections.Concurrent;

namespace TokenBroker.Jobs.Refresh;

/// <summary>
/// When each transiently failing mailbox may be tried again (the provider's Retry-After, else exponential back-off).
/// Kept in memory per instance: losing it on restart costs at most one early retry.
/// </summary>
public sealed class RefreshBackoff
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset NextAttemptAt, int Failures)> _entries = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset? NextAttemptAt(string address) => _entries.TryGetValue(address, out var entry) ? entry.NextAttemptAt : null;

    public bool IsWaiting(string address, DateTimeOffset now) => NextAttemptAt(address) is { } next && next > now;

    public DateTimeOffset RecordFailure(string address, DateTimeOffset now, TimeSpan? retryAfter, RefreshOptions options)
    {
        var entry = _entries.AddOrUpdate(address,
            _ => (now + (retryAfter ?? options.InitialBackoff), 1),
            (_, previous) =>
            {
                var failures = previous.Failures + 1;
                var exponential = TimeSpan.FromTicks(Math.Min(options.InitialBackoff.Ticks * (1L << Math.Min(failures - 1, 20)), options.MaxBackoff.Ticks));
                return (now + (retryAfter is { } after && after > exponential ? after : exponential), failures);
            });
        return entry.NextAttemptAt;
    }

    public void RecordSuccess(string address) => _entries.TryRemove(address, out _);
}
