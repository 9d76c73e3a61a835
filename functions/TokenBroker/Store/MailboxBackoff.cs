namespace TokenBroker.Store;

/// <summary>
/// A mailbox whose token refresh failed transiently waits until <see cref="NextAttemptAt"/>. Kept on the mailbox
/// record (and in its listing metadata) so a restarted broker or a second instance honours it too.
/// </summary>
/// <param name="ConsecutiveFailures">Transient failures in a row; the wait doubles with each one.</param>
public sealed record MailboxBackoff(DateTimeOffset NextAttemptAt, int ConsecutiveFailures)
{
    public bool IsWaiting(DateTimeOffset now) => NextAttemptAt > now;
}

/// <summary>
/// How long a transiently failing mailbox waits: <see cref="Initial"/> doubled per consecutive failure up to
/// <see cref="Max"/>, and never less than the Retry-After the identity provider sent.
/// </summary>
public sealed record MailboxBackoffPolicy(TimeSpan Initial, TimeSpan Max)
{
    public static MailboxBackoffPolicy Default { get; } = new(TimeSpan.FromMinutes(5), TimeSpan.FromHours(1));

    public MailboxBackoff Next(MailboxBackoff? previous, DateTimeOffset now, TimeSpan? retryAfter)
    {
        var failures = (previous?.ConsecutiveFailures ?? 0) + 1;
        var exponential = TimeSpan.FromTicks(Math.Min(Initial.Ticks * (1L << Math.Min(failures - 1, 20)), Max.Ticks));
        var wait = retryAfter is { } after && after > exponential ? after : exponential;
        return new MailboxBackoff(now + wait, failures);
    }
}
