using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;

namespace TokenBroker.Store.Locks;

/// <summary>
/// Mailbox locks as blob leases in one container of the Functions storage account (an empty blob per record, named
/// like the record, so no address appears). A lease lasts <see cref="LeaseDuration"/> and is never renewed: a holder
/// that dies frees its mailboxes within a minute, and one that takes longer than <see cref="SafeHold"/> is told to check
/// the version before writing. Two storage requests per lock (acquire, release), one more the first time a record is locked.
/// </summary>
public sealed class BlobMailboxLocks(BlobContainerClient container, TimeProvider time) : IMailboxLocks
{
    /// <summary>The longest finite lease Azure Storage grants.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>How long a holder trusts its lease: a quarter of it is left for clock drift and a slow write.</summary>
    public static readonly TimeSpan SafeHold = TimeSpan.FromSeconds(45);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);
    private readonly LedgerContainer _blobs = new(container);
    private long _requests;

    public string ContainerName => container.Name;

    /// <summary>Storage requests sent so far (acquire tries, creations, releases): what the locks cost.</summary>
    public long StorageRequests => Interlocked.Read(ref _requests);

    public async Task<IMailboxLock?> TryAcquireAsync(string recordId, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(recordId);
        var blob = container.GetBlobClient(recordId);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            var lease = blob.GetBlobLeaseClient();
            try
            {
                Interlocked.Increment(ref _requests);
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).GuardAsync(StorageService.Blob).ConfigureAwait(false);
                return new LeasedLock(lease, time.GetTimestamp(), time, () => Interlocked.Increment(ref _requests));
            }
            catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound || e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // The first lock of this record: an empty blob (if no other writer created it first), container included.
                Interlocked.Increment(ref _requests);
                await _blobs.PutIfAsync(recordId, [], ifMatch: null, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // LeaseAlreadyPresent: another writer is at this record.
                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero) return null;
                await Task.Delay(left < RetryInterval ? left : RetryInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class LeasedLock(BlobLeaseClient lease, long acquiredAt, TimeProvider time, Action counted) : IMailboxLock
    {
        private int _released;

        public bool IsSafelyHeld => Volatile.Read(ref _released) == 0 && time.GetElapsedTime(acquiredAt) < SafeHold;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            try
            {
                // Not the caller's token: a cancelled keep-alive must still free the mailbox now, not in a minute.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                counted();
                await lease.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
            {
                // The lease ran out (and may be someone else's now) or the release did not get through: it expires.
            }
        }
    }
}
