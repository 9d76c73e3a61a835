namespace TokenBroker.Jobs.Refresh;

/// <summary>
/// How many keep-alives the sweep runs at once, from what the identity provider answers: additive increase (one
/// more per <see cref="Limit"/> successes, up to the ceiling), multiplicative decrease (halved on a 429 or 5xx, at
/// most once per <see cref="CalmDown"/> since the requests in flight were sent before it heard), and a pause of
/// every new start until a Retry-After has passed. Driven by one loop: not thread-safe.
/// </summary>
public sealed class AdaptiveConcurrency(int ceiling, TimeProvider time)
{
    public static readonly TimeSpan CalmDown = TimeSpan.FromSeconds(1);

    private readonly int _ceiling = Math.Max(1, ceiling);
    private int _limit = Math.Max(1, ceiling);
    private int _successes;
    private DateTimeOffset _lastDecrease = DateTimeOffset.MinValue;

    public int Ceiling => _ceiling;

    public int Limit => _limit;

    /// <summary>No new request starts before this.</summary>
    public DateTimeOffset ResumeAt { get; private set; } = DateTimeOffset.MinValue;

    public void Succeeded()
    {
        if (++_successes < _limit) return;
        _successes = 0;
        _limit = Math.Min(_ceiling, _limit + 1);
    }

    public void Overloaded(TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        if (retryAfter is { } wait && now + wait > ResumeAt) ResumeAt = now + wait;
        if (now - _lastDecrease < CalmDown) return;
        _lastDecrease = now;
        _limit = Math.Max(1, _limit / 2);
        _successes = 0;
    }
}
