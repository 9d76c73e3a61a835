using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TokenBroker.StorageAccount;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The blob operations the Azure ledger needs, on the SDK's <see cref="BlobContainerClient"/>: the container created once
/// per process (and again if someone deleted it), conditional uploads of small JSON blobs, reads, listings and conditional
/// deletes. "Not there" and "the condition failed" are answers here, not exceptions.
/// </summary>
internal sealed class LedgerContainer(BlobContainerClient container)
{
    private static readonly BlobHttpHeaders Json = new() { ContentType = "application/json" };
    private readonly SemaphoreSlim _creation = new(1, 1);
    private volatile bool _containerExists;

    public string ContainerName => container.Name;

    /// <summary>The blob's bytes and ETag, or null when it (or the container) does not exist.</summary>
    public async Task<BlobContent?> GetAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var download = await container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).GuardAsync(StorageService.Blob).ConfigureAwait(false);
            return new BlobContent(download.Value.Content.ToArray(), Quoted(download.Value.Details.ETag));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Uploads under a condition: <paramref name="ifMatch"/> = the ETag the blob must still have, or null for "must not exist
    /// yet" (If-None-Match: *). Returns the new ETag, or null when the condition failed (409 BlobAlreadyExists, 412, or 404
    /// when an expected blob is gone).
    /// </summary>
    public async Task<string?> PutIfAsync(string blobName, byte[] data, string? ifMatch, CancellationToken cancellationToken)
    {
        var conditions = ifMatch is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(ifMatch) };
        try
        {
            return await UploadAsync(blobName, data, conditions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (ifMatch is not null && e.ErrorCode == BlobErrorCode.BlobNotFound))
        {
            return null;
        }
    }

    /// <summary>Uploads without a condition: creates the blob or replaces whatever it held. Returns the new ETag.</summary>
    public Task<string> PutAsync(string blobName, byte[] data, CancellationToken cancellationToken) =>
        UploadAsync(blobName, data, conditions: null, cancellationToken);

    /// <summary>The names of the blobs under <paramref name="prefix"/>.</summary>
    public async Task<IReadOnlyList<string>> ListNamesAsync(string prefix, CancellationToken cancellationToken) =>
        (await ListAsync(prefix, cancellationToken).ConfigureAwait(false)).Select(b => b.Name).ToList();

    /// <summary>The blobs under <paramref name="prefix"/> with their ETag and last change; none when the container does not exist.</summary>
    public async Task<IReadOnlyList<BlobListing>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var blobs = new List<BlobListing>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
            {
                var etag = blob.Properties.ETag ?? throw new InvalidDataException($"The blob service lists '{blob.Name}' without an ETag.");
                var lastModified = blob.Properties.LastModified ?? throw new InvalidDataException($"The blob service lists '{blob.Name}' without Last-Modified.");
                blobs.Add(new BlobListing(blob.Name, Quoted(etag), lastModified));
            }
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
        }
        catch (RequestFailedException e) when (StorageAccessDenied.Matches(e))
        {
            throw StorageAccessDenied.Explain(e, StorageService.Blob);
        }
        return blobs;
    }

    /// <summary>Deletes the blob if it still has <paramref name="etag"/>; false when it is gone or changed.</summary>
    public async Task<bool> DeleteIfAsync(string blobName, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await container.GetBlobClient(blobName)
                .DeleteIfExistsAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellationToken)
                .GuardAsync(StorageService.Blob).ConfigureAwait(false);
            return deleted.Value;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    private async Task<string> UploadAsync(string blobName, byte[] data, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await UploadOnceAsync(blobName, data, conditions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // Someone deleted the container since this process created it: create it again, once.
            _containerExists = false;
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            return await UploadOnceAsync(blobName, data, conditions, cancellationToken).ConfigureAwait(false);
        }
    }

    // Ledger entries are a few hundred bytes: one Put Blob, retried by the SDK as a whole.
    private async Task<string> UploadOnceAsync(string blobName, byte[] data, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions { Conditions = conditions, HttpHeaders = Json };
        var uploaded = await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(data), options, cancellationToken)
            .GuardAsync(StorageService.Blob).ConfigureAwait(false);
        return Quoted(uploaded.Value.ETag);
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists) return;
        await _creation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_containerExists) return;
            // CreateIfNotExists answers null when the container already exists.
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).GuardAsync(StorageService.Blob).ConfigureAwait(false);
            _containerExists = true;
        }
        finally
        {
            _creation.Release();
        }
    }

    // Listings show ETags bare, other answers quoted: versions are always the quoted form, as conditional headers want it.
    private static string Quoted(ETag etag) => etag.ToString("H");
}

/// <summary>A blob's bytes and the ETag they were read at.</summary>
internal sealed record BlobContent(byte[] Data, string ETag);

/// <summary>A blob as List Blobs shows it.</summary>
internal sealed record BlobListing(string Name, string ETag, DateTimeOffset LastModified);
