using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.StorageAccount;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The Azure ledger: small JSON blobs in one container of the broker's storage account, through Azure.Storage.Blobs.
/// A sent record is <c>sent/&lt;hash of mailbox&gt;/&lt;hash of key&gt;.json</c>, created with If-None-Match: * so the
/// first writer wins; a send attempt is <c>attempts/…</c> under the same names, replaced by each newer attempt; a checkpoint is <c>checkpoints/&lt;hash&gt;.json</c>, replaced with If-Match on its ETag.
/// Blob names are hashes (<see cref="LedgerKeys"/>), so a listing reveals no address. Sent records older than the
/// retention are deleted by a purge that a write starts at most once per PurgeInterval (one List Blobs call per
/// 5,000 records, one Delete Blob per expired one); a container lifecycle rule on "sent/" can replace it.
/// </summary>
public sealed class AzureBlobMailLedger : IMailLedger
{
    private const string SentPrefix = "sent/";
    private const string AttemptPrefix = "attempts/";
    private const string CheckpointPrefix = "checkpoints/";

    private readonly LedgerContainer _container;
    private readonly AzureBlobMailLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _purgeGate = new();
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <param name="httpClient">Null: the SDK's shared transport. A caller's client is used as is and not disposed.</param>
    /// <param name="timeProvider">The clock the retention and the purge interval are measured with.</param>
    /// <param name="logger">Purges, their failures and failed request attempts are logged (never headers or blob contents).</param>
    /// <exception cref="InvalidOperationException">A setting is invalid, or the connection has no blob endpoint (the message names it).</exception>
    public AzureBlobMailLedger(StorageConnection connection, AzureBlobMailLedgerOptions? options = null, HttpClient? httpClient = null,
        TimeProvider? timeProvider = null, ILogger<AzureBlobMailLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new AzureBlobMailLedgerOptions();
        options.Validate();
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        var clientOptions = StorageClientSetup.Configure(new BlobClientOptions(), options, StorageService.Blob, httpClient, _logger);
        _container = new LedgerContainer(connection.CreateBlobServiceClient(clientOptions).GetBlobContainerClient(options.ContainerName));
    }

    /// <summary>For tests and diagnostics: the container's blobs.</summary>
    internal LedgerContainer Container => _container;

    public async Task<SentRecord?> FindSentAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var name = SentBlobName(mailbox, idempotencyKey);
        return await _container.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } blob
            ? LedgerJson.DeserializeSent(blob.Data, $"Blob '{_container.ContainerName}/{name}'")
            : null;
    }

    public async Task RecordSentAsync(string mailbox, string idempotencyKey, SentRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.MessageId);
        // A null ETag means the blob already existed (409 BlobAlreadyExists / 412): an earlier writer won, or an
        // earlier attempt of this very call landed before a retry. Either way there is nothing to do.
        await _container.PutIfAsync(SentBlobName(mailbox, idempotencyKey), LedgerJson.Serialize(record), ifMatch: null, cancellationToken).ConfigureAwait(false);
        await PurgeIfDueAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordAttemptAsync(string mailbox, string idempotencyKey, SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentException.ThrowIfNullOrEmpty(attempt.MessageId);
        await _container.PutAsync(AttemptBlobName(mailbox, idempotencyKey), LedgerJson.Serialize(attempt), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SendAttempt?> FindAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var name = AttemptBlobName(mailbox, idempotencyKey);
        return await _container.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } blob
            ? LedgerJson.DeserializeAttempt(blob.Data, $"Blob '{_container.ContainerName}/{name}'")
            : null;
    }

    public async Task ForgetAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var name = AttemptBlobName(mailbox, idempotencyKey);
        if (await _container.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } blob)
            await _container.DeleteIfAsync(name, blob.ETag, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Versioned<FetchCheckpoint>?> GetCheckpointAsync(string mailbox, string protocol, string folder, CancellationToken cancellationToken = default)
    {
        var name = CheckpointBlobName(mailbox, protocol, folder);
        return await _container.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } blob
            ? new Versioned<FetchCheckpoint>(LedgerJson.DeserializeCheckpoint(blob.Data, $"Blob '{_container.ContainerName}/{name}'"), blob.ETag)
            : null;
    }

    public async Task<Versioned<FetchCheckpoint>> SaveCheckpointAsync(string mailbox, string protocol, string folder, FetchCheckpoint checkpoint,
        string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var name = CheckpointBlobName(mailbox, protocol, folder);
        var data = LedgerJson.Serialize(checkpoint);
        var etag = await _container.PutIfAsync(name, data, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (etag is not null) return new Versioned<FetchCheckpoint>(LedgerJson.DeserializeCheckpoint(data, "The saved checkpoint"), etag);

        // The condition failed. If the stored bytes are exactly ours, an earlier attempt of this call landed and
        // its response was lost (the SDK retried): that is success. Otherwise someone else wrote.
        var current = await _container.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (current is not null && current.Data.AsSpan().SequenceEqual(data))
            return new Versioned<FetchCheckpoint>(LedgerJson.DeserializeCheckpoint(data, "The saved checkpoint"), current.ETag);
        throw new StoreConcurrencyException(SqliteMailLedger.CheckpointItem(mailbox, protocol, folder), expectedVersion, current?.ETag);
    }

    /// <summary>Deletes sent records last written more than the retention ago; returns how many.</summary>
    internal async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = _time.GetUtcNow() - TimeSpan.FromDays(_options.SentRetentionDays);
        var deleted = 0;
        foreach (var prefix in new[] { SentPrefix, AttemptPrefix })
        {
            foreach (var blob in await _container.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                // If-Match: a record written again since the listing (a late redelivery after its purge) stays.
                if (blob.LastModified < cutoff && await _container.DeleteIfAsync(blob.Name, blob.ETag, cancellationToken).ConfigureAwait(false)
                    && prefix == SentPrefix)
                    deleted++;
            }
        }
        return deleted;
    }

    // The record is already stored when this runs: a failing purge is logged and retried next interval, never
    // reported as a failure to record the send.
    private async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        lock (_purgeGate)
        {
            var now = _time.GetUtcNow();
            if (now - _lastPurge < _options.PurgeInterval) return;
            _lastPurge = now;
        }
        try
        {
            var deleted = await PurgeAsync(cancellationToken).ConfigureAwait(false);
            if (deleted > 0) _logger.LogInformation("Mail ledger: purged {Count} sent records older than {Days} days.", deleted, _options.SentRetentionDays);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Mail ledger: purging old sent records failed; the next write after {Interval} tries again.", _options.PurgeInterval);
        }
    }

    internal static string SentBlobName(string mailbox, string idempotencyKey) =>
        $"{SentPrefix}{LedgerKeys.Mailbox(mailbox)}/{LedgerKeys.IdempotencyKey(idempotencyKey)}.json";

    internal static string AttemptBlobName(string mailbox, string idempotencyKey) =>
        $"{AttemptPrefix}{LedgerKeys.Mailbox(mailbox)}/{LedgerKeys.IdempotencyKey(idempotencyKey)}.json";

    internal static string CheckpointBlobName(string mailbox, string protocol, string folder) =>
        $"{CheckpointPrefix}{LedgerKeys.Checkpoint(mailbox, protocol, folder)}.json";
}
