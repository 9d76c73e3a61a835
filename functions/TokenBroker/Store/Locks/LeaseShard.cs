using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TokenBroker.StorageAccount;

namespace TokenBroker.Store.Locks;

/// <summary>
/// One shard's blob lease, shared by every writer of this process at a record of the shard: taken by the first,
/// renewed by a writer joining once it is <see cref="BlobMailboxLocks.RenewAfter"/> old, released by the last to leave.
/// One lease ID per process, so taking the lease again while it is still ours renews it.
/// </summary>
internal sealed class LeaseShard(BlobLeaseClient lease, Func<CancellationToken, Task> createBlob, TimeProvider time, Action countRequest)
{
    /// <summary>After a one-shot attempt found the lease taken, further one-shot attempts within this time give up without asking.</summary>
    private static readonly TimeSpan BusyMemory = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Generation? _current;
    private DateTimeOffset _busyUntil;

    /// <summary>
    /// A span of time the lease was certainly ours without a break. Its writers trust it until <see cref="BlobMailboxLocks.SafeHold"/>
    /// after its last renewal; a lease renewed later than that may have been another process's meanwhile, so it starts a new span.
    /// </summary>
    public sealed class Generation(long renewedAt)
    {
        private long _renewedAt = renewedAt;
        private volatile bool _ended;

        internal int Users { get; set; }

        public bool IsSafe(TimeProvider time) => !_ended && time.GetElapsedTime(Volatile.Read(ref _renewedAt)) < BlobMailboxLocks.SafeHold;

        internal TimeSpan Age(TimeProvider time) => time.GetElapsedTime(Volatile.Read(ref _renewedAt));

        internal void Renewed(long at) => Volatile.Write(ref _renewedAt, at);

        internal void End() => _ended = true;
    }

    /// <summary>Joins the lease, taking or renewing it when needed; waits for another process's until <paramref name="deadline"/>, null after that.</summary>
    public async Task<Generation?> JoinAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_current is { } current)
                {
                    var age = current.Age(time);
                    if (age < BlobMailboxLocks.RenewAfter)
                        return Joined(current);
                    if (age < BlobMailboxLocks.SafeHold && await TryTakeAsync(cancellationToken).ConfigureAwait(false) is { } renewedAt)
                    {
                        current.Renewed(renewedAt);
                        return Joined(current);
                    }
                    // Too old to be sure it was never lost, or lost: its writers check versions; a new span starts here.
                    current.End();
                    _current = null;
                }
                var oneShot = deadline <= time.GetUtcNow();
                if (oneShot && time.GetUtcNow() < _busyUntil) return null;
                if (await TryTakeAsync(cancellationToken).ConfigureAwait(false) is { } takenAt)
                {
                    _current = new Generation(takenAt);
                    return Joined(_current);
                }
                if (deadline <= time.GetUtcNow())
                {
                    if (oneShot) _busyUntil = time.GetUtcNow() + BusyMemory;
                    return null;
                }
            }
            finally
            {
                _gate.Release();
            }
            var left = deadline - time.GetUtcNow();
            await Task.Delay(left < RetryInterval ? left : RetryInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A writer is done; the last one of the current span releases the lease.</summary>
    public async ValueTask LeaveAsync(Generation generation)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (--generation.Users > 0 || !ReferenceEquals(generation, _current)) return;
            _current = null;
            generation.End();
            try
            {
                // Not a writer's token: a cancelled keep-alive must still free the shard now, not in a minute.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                countRequest();
                await lease.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
            {
                // The lease ran out (and may be someone else's now) or the release did not get through: it expires.
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Generation Joined(Generation generation)
    {
        generation.Users++;
        return generation;
    }

    /// <summary>One acquire (a renewal when the lease is still ours); the time it was sent, or null when another process holds it.</summary>
    private async Task<long?> TryTakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var sentAt = time.GetTimestamp();
            try
            {
                countRequest();
                await lease.AcquireAsync(BlobMailboxLocks.LeaseDuration, cancellationToken: cancellationToken).GuardAsync(StorageService.Blob).ConfigureAwait(false);
                return sentAt;
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound || e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // The first lock of this shard: an empty blob (if no other process created it first), container included.
                countRequest();
                await createBlob(cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                return null; // LeaseAlreadyPresent: another process's writers are at this shard.
            }
        }
    }
}
