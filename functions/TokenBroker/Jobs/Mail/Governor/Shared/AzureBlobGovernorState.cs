using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// The Azure face's shared governor, in one container of the broker's storage account (Azure.Storage.Blobs):
/// <c>mailboxes/&lt;hash&gt;.json</c> holds a mailbox's window, day and back-off, changed by read + conditional write
/// (If-Match on the ETag read; a lost race reads again); <c>slots/&lt;hash&gt;/&lt;n&gt;</c> are MaxConnections empty blobs
/// whose blob leases are the connection slots, renewed while held and freed by Azure when an instance dies (within
/// SlotLease, 15-60 s). Cost per message: 2 requests for the admission when no other instance races it, plus the slot
/// acquisition (1 per try) and release when a connection opens or closes, plus one renewal per SlotLease/3 per open connection.
/// </summary>
public sealed class AzureBlobGovernorState : IGovernorState
{
    private const int UpdateAttempts = 50;
    private readonly BlobContainerClient _blobs;
    private readonly LedgerContainer _container;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _slotsCreated = [];
    private readonly Lock _gate = new();
    private long _operations;

    public AzureBlobGovernorState(StorageConnection connection, StorageRequestOptions requests, string containerName, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        var clientOptions = StorageClientSetup.Configure(new BlobClientOptions(), requests, StorageService.Blob, httpClient: null, _logger);
        _blobs = connection.CreateBlobServiceClient(clientOptions).GetBlobContainerClient(containerName);
        _container = new LedgerContainer(_blobs);
    }

    public string Kind => "azureblob";

    public long StorageOperations => Interlocked.Read(ref _operations);

    public Task<Admission> TryAdmitAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        UpdateAsync(mailbox, record => record.Admit(_time.GetUtcNow(), recipients, takeMessage: true, limits), admission => admission.Granted, cancellationToken);

    public Task<Admission> TryTakeRecipientsAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        // Zero recipients only asks whether the mailbox is backed off (before a new connection): nothing to write then.
        UpdateAsync(mailbox, record => record.Admit(_time.GetUtcNow(), recipients, takeMessage: false, limits), admission => admission.Granted && recipients > 0, cancellationToken);

    public Task<bool> BackOffAsync(string mailbox, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(mailbox, record => record.BackOff(_time.GetUtcNow(), until, reason), _ => true, cancellationToken);

    public async Task<IConnectionSlot?> TryAcquireConnectionAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        var prefix = SlotPrefix(mailbox);
        await EnsureSlotsAsync(prefix, limits.MaxConnections, cancellationToken).ConfigureAwait(false);
        // A random first slot spreads instances over the slots instead of all racing for slot 0.
        var first = Random.Shared.Next(limits.MaxConnections);
        for (var i = 0; i < limits.MaxConnections; i++)
        {
            var blob = _blobs.GetBlobClient(prefix + ((first + i) % limits.MaxConnections).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
            try
            {
                Interlocked.Increment(ref _operations);
                await lease.AcquireAsync(limits.SlotLease, cancellationToken: cancellationToken).GuardAsync(StorageService.Blob).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                continue; // LeaseAlreadyPresent: another connection holds this slot
            }
            return new RenewedSlot(mailbox, limits.SlotLease,
                renew: async token =>
                {
                    try
                    {
                        Interlocked.Increment(ref _operations);
                        await lease.RenewAsync(cancellationToken: token).GuardAsync(StorageService.Blob).ConfigureAwait(false);
                        return true;
                    }
                    catch (RequestFailedException e) when (e.Status is 409 or 412)
                    {
                        return false; // the lease expired and someone else took the slot
                    }
                },
                release: async () =>
                {
                    Interlocked.Increment(ref _operations);
                    await lease.ReleaseAsync().GuardAsync(StorageService.Blob).ConfigureAwait(false);
                },
                _time, _logger);
        }
        return null;
    }

    public async Task<GovernorSnapshot> ReadAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        var connections = 0;
        try
        {
            Interlocked.Increment(ref _operations);
            await foreach (var blob in _blobs.GetBlobsAsync(BlobTraits.None, BlobStates.None, SlotPrefix(mailbox), cancellationToken).ConfigureAwait(false))
                if (blob.Properties.LeaseState == LeaseState.Leased) connections++;
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
        }
        Interlocked.Increment(ref _operations);
        var stored = await _container.GetAsync(RecordName(mailbox), cancellationToken).ConfigureAwait(false);
        var record = stored is null ? new MailboxGovernorRecord() : GovernorJson.Read(stored.Data, $"Blob '{_blobs.Name}/{RecordName(mailbox)}'");
        return record.Snapshot(_time.GetUtcNow(), limits.Window, connections);
    }

    /// <param name="changed">Whether the record must be written back for this result (a refused admission changes nothing).</param>
    private async Task<T> UpdateAsync<T>(string mailbox, Func<MailboxGovernorRecord, T> change, Func<T, bool> changed, CancellationToken cancellationToken)
    {
        var name = RecordName(mailbox);
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _operations);
            var stored = await _container.GetAsync(name, cancellationToken).ConfigureAwait(false);
            var record = stored is null ? new MailboxGovernorRecord() : GovernorJson.Read(stored.Data, $"Blob '{_blobs.Name}/{name}'");
            var result = change(record);
            if (!changed(result)) return result;
            Interlocked.Increment(ref _operations);
            if (await _container.PutIfAsync(name, JsonSerializer.SerializeToUtf8Bytes(record, GovernorJson.Options), stored?.ETag, cancellationToken).ConfigureAwait(false) is not null)
                return result;
            if (attempt >= UpdateAttempts)
                throw new TimeoutException($"The governor record of {mailbox} changed under {UpdateAttempts} writes in a row (blob '{_blobs.Name}/{name}'); the message is retried.");
            // Another instance wrote between our read and write: read again, after a short random pause so racers spread out.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + 10 * Math.Min(attempt, 10))), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureSlotsAsync(string prefix, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (_slotsCreated.Contains(prefix + count)) return;
        for (var i = 0; i < count; i++)
        {
            Interlocked.Increment(ref _operations);
            // If-None-Match: *: an existing (possibly leased) slot blob is left alone.
            await _container.PutIfAsync(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), [], ifMatch: null, cancellationToken).ConfigureAwait(false);
        }
        lock (_gate)
            _slotsCreated.Add(prefix + count);
    }

    private static string RecordName(string mailbox) => $"mailboxes/{LedgerKeys.Mailbox(mailbox)}.json";

    private static string SlotPrefix(string mailbox) => $"slots/{LedgerKeys.Mailbox(mailbox)}/";
}
