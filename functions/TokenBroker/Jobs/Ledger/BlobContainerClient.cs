using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using TokenBroker.AzureStorage;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The few Blob service REST operations the ledger needs (Azure.Storage.Blobs is not available here): create the
/// container, conditional Put Blob of small block blobs, Get Blob, List Blobs. Requests go through the storage
/// pipeline shared with the queue transport (same signer, time limits and retries).
/// </summary>
internal sealed class BlobContainerClient
{
    private readonly StorageHttpPipeline _pipeline;
    private readonly Uri _containerUri;
    private readonly SemaphoreSlim _creation = new(1, 1);
    private volatile bool _containerExists;

    public BlobContainerClient(StorageHttpPipeline pipeline, Uri blobServiceUri, string containerName)
    {
        _pipeline = pipeline;
        ContainerName = containerName;
        _containerUri = new Uri(blobServiceUri.AbsoluteUri.TrimEnd('/') + "/" + containerName);
    }

    public string ContainerName { get; }

    /// <summary>Creates the container once per process (201, or 409 when it already exists).</summary>
    public async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists) return;
        await _creation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_containerExists) return;
            using var response = await _pipeline.SendAsync("Create Container",
                () => new HttpRequestMessage(HttpMethod.Put, With(_containerUri, "restype=container")) { Content = new ByteArrayContent([]) },
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.Conflict)
                throw await _pipeline.FailureAsync("Create Container", response, cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }
        finally
        {
            _creation.Release();
        }
    }

    /// <summary>The blob's bytes and ETag, or null when it (or the container) does not exist.</summary>
    public async Task<BlobContent?> GetAsync(string blobName, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync("Get Blob",
            () => new HttpRequestMessage(HttpMethod.Get, BlobUri(blobName)), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        if (!response.IsSuccessStatusCode)
            throw await _pipeline.FailureAsync("Get Blob", response, cancellationToken).ConfigureAwait(false);
        var data = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new BlobContent(data, ETagOf(response, "Get Blob"));
    }

    /// <summary>
    /// Put Blob (a block blob) under a condition: <paramref name="ifMatch"/> = the ETag the blob must still have,
    /// or null for "must not exist yet" (If-None-Match: *). Returns the new ETag, or null when the condition failed
    /// (412, or 409 BlobAlreadyExists).
    /// </summary>
    public async Task<string?> PutIfAsync(string blobName, byte[] data, string? ifMatch, CancellationToken cancellationToken)
    {
        using var response = await PutWithContainerAsync(blobName, data, ifMatch is null ? ("If-None-Match", "*") : ("If-Match", ifMatch), cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return ETagOf(response, "Put Blob");
        if (response.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict) return null;
        if (ifMatch is not null && response.StatusCode == HttpStatusCode.NotFound) return null;
        throw await _pipeline.FailureAsync("Put Blob", response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Put Blob without a condition: creates the blob or replaces whatever it held. Returns the new ETag.</summary>
    public async Task<string> PutAsync(string blobName, byte[] data, CancellationToken cancellationToken)
    {
        using var response = await PutWithContainerAsync(blobName, data, condition: null, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return ETagOf(response, "Put Blob");
        throw await _pipeline.FailureAsync("Put Blob", response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> PutWithContainerAsync(string blobName, byte[] data, (string Header, string Value)? condition, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendPutAsync(blobName, data, condition, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && await IsContainerMissingAsync(response, cancellationToken).ConfigureAwait(false))
        {
            // Someone deleted the container since this process created it: create it again, once.
            response.Dispose();
            _containerExists = false;
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            response = await SendPutAsync(blobName, data, condition, cancellationToken).ConfigureAwait(false);
        }
        return response;
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/>, following continuation markers.</summary>
    public async Task<IReadOnlyList<string>> ListNamesAsync(string prefix, CancellationToken cancellationToken) =>
        (await ListAsync(prefix, cancellationToken).ConfigureAwait(false)).Select(b => b.Name).ToList();

    /// <summary>The blobs under <paramref name="prefix"/> with their ETag and last change, following continuation markers.</summary>
    public async Task<IReadOnlyList<BlobListing>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var blobs = new List<BlobListing>();
        string? marker = null;
        do
        {
            var query = $"restype=container&comp=list&prefix={Uri.EscapeDataString(prefix)}" +
                        (marker is null ? "" : $"&marker={Uri.EscapeDataString(marker)}");
            using var response = await _pipeline.SendAsync("List Blobs",
                () => new HttpRequestMessage(HttpMethod.Get, With(_containerUri, query)), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound) return blobs;
            if (!response.IsSuccessStatusCode)
                throw await _pipeline.FailureAsync("List Blobs", response, cancellationToken).ConfigureAwait(false);
            var root = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Root!;
            foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
            {
                var properties = blob.Element("Properties");
                blobs.Add(new BlobListing(
                    blob.Element("Name")!.Value,
                    Quoted(properties?.Element("Etag")?.Value ?? ""),
                    DateTimeOffset.ParseExact(properties?.Element("Last-Modified")?.Value ?? "", "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
            }
            marker = root.Element("NextMarker")?.Value is { Length: > 0 } next ? next : null;
        } while (marker is not null);
        return blobs;
    }

    /// <summary>Deletes the blob if it still has <paramref name="etag"/>; false when it is gone or changed.</summary>
    public async Task<bool> DeleteIfAsync(string blobName, string etag, CancellationToken cancellationToken)
    {
        using var response = await _pipeline.SendAsync("Delete Blob", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Delete, BlobUri(blobName));
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            return request;
        }, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return true;
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed) return false;
        throw await _pipeline.FailureAsync("Delete Blob", response, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendPutAsync(string blobName, byte[] data, (string Header, string Value)? condition, CancellationToken cancellationToken) =>
        _pipeline.SendAsync("Put Blob", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, BlobUri(blobName)) { Content = new ByteArrayContent(data) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
            if (condition is { } required) request.Headers.TryAddWithoutValidation(required.Header, required.Value);
            return request;
        }, cancellationToken);

    private static async Task<bool> IsContainerMissingAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var (code, _) = await StorageHttpPipeline.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return code == "ContainerNotFound";
    }

    private Uri BlobUri(string blobName) =>
        new(_containerUri.AbsoluteUri + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString)));

    private static Uri With(Uri uri, string query) => new UriBuilder(uri) { Query = query }.Uri;

    // List Blobs shows ETags bare; conditional headers want the quoted form the other responses carry.
    private static string Quoted(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    private static string ETagOf(HttpResponseMessage response, string operation) =>
        response.Headers.ETag?.ToString()
        ?? (response.Headers.TryGetValues("ETag", out var values) ? values.First() : null)
        ?? throw new InvalidDataException($"The blob service's '{operation}' response has no ETag.");
}

/// <summary>A blob's bytes and the ETag they were read at.</summary>
internal sealed record BlobContent(byte[] Data, string ETag);

/// <summary>A blob as List Blobs shows it.</summary>
internal sealed record BlobListing(string Name, string ETag, DateTimeOffset LastModified);
