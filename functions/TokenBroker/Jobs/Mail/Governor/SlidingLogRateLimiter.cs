using System.Threading.RateLimiting;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// A <see cref="RateLimiter"/> allowing <c>permitLimit</c> permits in any rolling <c>window</c>, measured on an injected
/// <see cref="TimeProvider"/>. The framework's window limiters read <c>Stopwatch</c> even when replenished by hand, so
/// they cannot follow a test clock; this one can. Permits come back when the window has passed over them (leases are
/// not returned on dispose). Waiters are served oldest first.
/// </summary>
internal sealed class SlidingLogRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly int _permitLimit;
    private readonly TimeSpan _window;
    private readonly int _queueLimit;
    private readonly TimeProvider _timeProvider;
    private readonly Queue<(DateTimeOffset At, int Count)> _taken = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private int _inWindow;
    private int _queued;
    private long _successful;
    private long _failed;
    private bool _disposed;

    public SlidingLogRateLimiter(int permitLimit, TimeSpan window, int queueLimit, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitLimit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _permitLimit = permitLimit;
        _window = window;
        _queueLimit = queueLimit;
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(_ => ServeWaiters(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Prune(_timeProvider.GetUtcNow());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _permitLimit - _inWindow,
                CurrentQueuedCount = _queued,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckCount(permitCount);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            if (_waiters.Count == 0 && TryTake(permitCount, now))
                return Granted;
            _failed++;
            return new Lease(false, RetryAfter(now));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckCount(permitCount);
        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            if (_waiters.Count == 0 && TryTake(permitCount, now))
                return ValueTask.FromResult(Granted);
            if (_queued + permitCount > _queueLimit)
            {
                _failed++;
                return ValueTask.FromResult<RateLimitLease>(new Lease(false, RetryAfter(now)));
            }
            waiter = new Waiter(permitCount);
            waiter.Node = _waiters.AddLast(waiter);
            _queued += permitCount;
            ScheduleNext();
        }
        if (cancellationToken.CanBeCanceled)
            waiter.Registration = cancellationToken.Register(() => Cancel(waiter, cancellationToken));
        return new ValueTask<RateLimitLease>(waiter.Completion.Task);
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        List<Waiter> abandoned;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            abandoned = [.. _waiters];
            _waiters.Clear();
        }
        _timer.Dispose();
        foreach (var waiter in abandoned)
            waiter.Completion.TrySetResult(new Lease(false, null));
    }

    private void ServeWaiters()
    {
        var granted = new List<Waiter>();
        lock (_gate)
        {
            if (_disposed) return;
            var now = _timeProvider.GetUtcNow();
            Prune(now);
            while (_waiters.First is { } first && TryTake(first.Value.Count, now))
            {
                _waiters.RemoveFirst();
                _queued -= first.Value.Count;
                granted.Add(first.Value);
            }
            ScheduleNext();
        }
        foreach (var waiter in granted)
        {
            waiter.Registration.Dispose();
            // A waiter cancelled at this very moment keeps its permits counted: that only errs on the safe side.
            waiter.Completion.TrySetResult(Granted);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null) return;
            _waiters.Remove(waiter.Node);
            _queued -= waiter.Count;
        }
        waiter.Completion.TrySetCanceled(cancellationToken);
    }

    private bool TryTake(int count, DateTimeOffset now)
    {
        if (_inWindow + count > _permitLimit) return false;
        _inWindow += count;
        _taken.Enqueue((now, count));
        _successful++;
        return true;
    }

    private void Prune(DateTimeOffset now)
    {
        while (_taken.TryPeek(out var oldest) && oldest.At + _window <= now)
        {
            _taken.Dequeue();
            _inWindow -= oldest.Count;
        }
    }

    private TimeSpan RetryAfter(DateTimeOffset now) =>
        _taken.TryPeek(out var oldest) ? oldest.At + _window - now : TimeSpan.Zero;

    // Wake up when the oldest permit leaves the window, as long as someone waits.
    private void ScheduleNext()
    {
        if (_waiters.Count == 0 || !_taken.TryPeek(out var oldest))
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var due = oldest.At + _window - _timeProvider.GetUtcNow();
        _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void CheckCount(int permitCount)
    {
        if (permitCount < 0 || permitCount > _permitLimit)
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, $"Between 0 and {_permitLimit} permits can be asked for at once.");
    }

    private sealed class Waiter(int count)
    {
        public int Count { get; } = count;
        public TaskCompletionSource<RateLimitLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
    }

    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired { get; } = isAcquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
