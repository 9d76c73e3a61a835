using System.Collections.Concurrent;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Store.Locks;

/// <summary>
/// Mailbox locks as blob leases in one container of the Functions storage account: one lease per shard of records
/// (<see cref="ShardCount"/> empty blobs "shard-xx", so no address appears), shared by every writer of this process
/// at a record of that shard, with one writer per record inside the process (<see cref="RecordClaims"/>). A keep-alive
/// sweep that takes a shard's mailboxes together pays two storage requests for all of them instead of two each.
/// A lease lasts <see cref="LeaseDuration"/>; a writer joining after <see cref="RenewAfter"/> renews it, the last
/// writer releases it, and a writer that takes longer than <see cref="SafeHold"/> is told to check the version before
/// writing. A process that dies frees its shards within a minute.
/// </summary>
public sealed class BlobMailboxLocks : IMailboxLocks
{
    /// <summary>The longest finite lease Azure Storage grants.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>How long a holder trusts its lease: a quarter of it is left for clock drift and a slow write.</summary>
    public static readonly TimeSpan SafeHold = TimeSpan.FromSeconds(45);

    /// <summary>A writer joining a lease this old renews it first, so it has at least 30 s of safe hold.</summary>
    public static readonly TimeSpan RenewAfter = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Records per lease: 10,000 mailboxes make ~40 a shard. A writer from another process waits at most for the
    /// keep-alives of one shard, not one mailbox: a fraction of a second at the identity provider's pace.
    /// </summary>
    public const int ShardCount = 256;

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly LedgerContainer _blobs;
    private readonly RecordClaims _claims;
    private readonly string _leaseId = Guid.NewGuid().ToString();
    private readonly ConcurrentDictionary<int, LeaseShard> _shards = new();
    private long _requests;

    public BlobMailboxLocks(BlobContainerClient container, TimeProvider time)
    {
        _container = container;
        _time = time;
        _blobs = new LedgerContainer(container);
        _claims = new RecordClaims(time);
    }

    public string ContainerName => _container.Name;

    /// <summary>Storage requests sent so far (acquires, renewals, creations, releases): what the locks cost.</summary>
    public long StorageRequests => Interlocked.Read(ref _requests);

    public int ShardOf(string recordId)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        return (int)(StableHash.Of(recordId) % ShardCount);
    }

    public async Task<IMailboxLock?> TryAcquireAsync(string recordId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var shard = _shards.GetOrAdd(ShardOf(recordId), NewShard);
        var deadline = _time.GetUtcNow() + wait;
        var claim = await _claims.TryClaimAsync(recordId, deadline, cancellationToken).ConfigureAwait(false);
        if (claim is null) return null;
        try
        {
            var generation = await shard.JoinAsync(deadline, cancellationToken).ConfigureAwait(false);
            if (generation is not null) return new SharedLock(shard, generation, claim, _time);
        }
        catch
        {
            claim.Release();
            throw;
        }
        claim.Release();
        return null;
    }

    private LeaseShard NewShard(int shard)
    {
        var name = "shard-" + shard.ToString("x2", CultureInfo.InvariantCulture);
        return new LeaseShard(_container.GetBlobClient(name).GetBlobLeaseClient(_leaseId),
            token => _blobs.PutIfAsync(name, [], ifMatch: null, token), _time, () => Interlocked.Increment(ref _requests));
    }

    private sealed class SharedLock(LeaseShard shard, LeaseShard.Generation generation, RecordClaims.Claim claim, TimeProvider time) : IMailboxLock
    {
        private int _released;

        public bool IsSafelyHeld => Volatile.Read(ref _released) == 0 && generation.IsSafe(time);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            // The record first: this process's next writer at it can join the lease before it is released.
            claim.Release();
            await shard.LeaveAsync(generation).ConfigureAwait(false);
        }
    }
}
