using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Refresh;

/// <summary>
/// How many token requests the sweep has at the identity provider at once, from what the provider answers: additive
/// increase (one more per <see cref="Limit"/> successes, up to the ceiling), multiplicative decrease (halved on a 429
/// or 5xx, at most once per <see cref="CalmDown"/> since the requests in flight were sent before it heard), and no
/// new request before a Retry-After has passed. Safe to use from the sweep's concurrent keep-alives. As their gate it
/// hears a refusal before the refused request's slot is freed, so no waiting request slips past a Retry-After or a
/// broken client credential (which closes it).
/// </summary>
public sealed class AdaptiveConcurrency(int ceiling, TimeProvider time) : ITokenRequestGate
{
    public static readonly TimeSpan CalmDown = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly int _ceiling = Math.Max(1, ceiling);
    private int _limit = Math.Max(1, ceiling);
    private int _inUse;
    private bool _closed;
    private int _successes;
    private DateTimeOffset _lastDecrease = DateTimeOffset.MinValue;
    private DateTimeOffset _resumeAt = DateTimeOffset.MinValue;
    private List<TaskCompletionSource> _waiters = [];

    public int Ceiling => _ceiling;

    public int Limit { get { lock (_lock) return _limit; } }

    /// <summary>Token requests holding a slot now.</summary>
    public int InUse { get { lock (_lock) return _inUse; } }

    /// <summary>No new request starts before this.</summary>
    public DateTimeOffset ResumeAt { get { lock (_lock) return _resumeAt; } }

    public void Succeeded()
    {
        lock (_lock)
        {
            if (++_successes < _limit) return;
            _successes = 0;
            _limit = Math.Min(_ceiling, _limit + 1);
        }
        WakeWaiters();
    }

    public void Overloaded(TimeSpan? retryAfter)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (retryAfter is { } wait && now + wait > _resumeAt) _resumeAt = now + wait;
            if (now - _lastDecrease < CalmDown) return;
            _lastDecrease = now;
            _limit = Math.Max(1, _limit / 2);
            _successes = 0;
        }
    }

    public async ValueTask<ITokenRequestSlot> EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan pause;
            Task freed;
            lock (_lock)
            {
                if (_closed) throw new TokenRequestGateClosedException();
                pause = _resumeAt - time.GetUtcNow();
                if (pause <= TimeSpan.Zero && _inUse < _limit)
                {
                    _inUse++;
                    return new Slot(this);
                }
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
                freed = waiter.Task;
            }
            // Either wait has the loop look again: the limit, the pause and the slots may all have moved meanwhile.
            if (pause > TimeSpan.Zero) await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            else await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more slots: waiting and later callers get <see cref="TokenRequestGateClosedException"/> (the sweep leaves them for the next one).</summary>
    public void Close()
    {
        lock (_lock) _closed = true;
        WakeWaiters();
    }

    private void Release()
    {
        lock (_lock) _inUse--;
        WakeWaiters();
    }

    /// <summary>Every waiter looks again (at most a few dozen: the sweep bounds the keep-alives in progress).</summary>
    private void WakeWaiters()
    {
        List<TaskCompletionSource> waiting;
        lock (_lock)
        {
            if (_waiters.Count == 0) return;
            waiting = _waiters;
            _waiters = [];
        }
        foreach (var waiter in waiting) waiter.TrySetResult();
    }

    private sealed class Slot(AdaptiveConcurrency owner) : ITokenRequestSlot
    {
        private int _disposed;

        public void Refused(TokenFailure failure, TimeSpan? retryAfter)
        {
            if (Volatile.Read(ref _disposed) != 0) return;
            if (failure.Kind == TokenFailureKind.BrokenCredential) owner.Close();
            else if (failure.IsTransient) owner.Overloaded(retryAfter);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Release();
        }
    }
}
