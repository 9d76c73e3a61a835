using System.Collections.Concurrent;

namespace TokenBroker.Store.Locks;

/// <summary>
/// Which records this process's writers are at: one writer per record at a time. Across processes the shard's lease
/// excludes; within one process every writer of a shard shares that lease, so the record itself must be claimed here.
/// </summary>
internal sealed class RecordClaims(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _claims = new(StringComparer.Ordinal);

    /// <summary>The claim on <paramref name="recordId"/>, waiting for this process's current writer until <paramref name="deadline"/>; null when it is still there then.</summary>
    public async Task<Claim?> TryClaimAsync(string recordId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (true)
        {
            if (_claims.TryAdd(recordId, mine)) return new Claim(this, recordId, mine);
            if (!_claims.TryGetValue(recordId, out var current)) continue;
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return null;
            try
            {
                await current.Task.WaitAsync(left, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    private void Release(string recordId, TaskCompletionSource claim)
    {
        _claims.TryRemove(new KeyValuePair<string, TaskCompletionSource>(recordId, claim));
        claim.TrySetResult();
    }

    public sealed class Claim(RecordClaims claims, string recordId, TaskCompletionSource claim)
    {
        public void Release() => claims.Release(recordId, claim);
    }
}
