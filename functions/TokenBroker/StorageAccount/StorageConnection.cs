using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace TokenBroker.StorageAccount;

/// <summary>How a connection authorizes against the storage services.</summary>
public enum StorageAuthentication
{
    /// <summary>What the connection string carries: an account key (Shared Key) or a shared access signature.</summary>
    ConnectionString,

    /// <summary>An Entra token from a <see cref="TokenCredential"/> (identity-based connections).</summary>
    Identity,
}

/// <summary>
/// A storage account as one connection setting names it (e.g. "AzureWebJobsStorage"): its queue and blob service
/// endpoints, and either the connection string the SDK clients are made from or the <see cref="TokenCredential"/> they use.
/// The queue transport and the blob ledger share it, so one setting serves both. The SDK parses connection strings;
/// <see cref="FromConfiguration"/> resolves a setting the way the Functions host does.
/// </summary>
public sealed partial class StorageConnection
{
    /// <summary>The scope of Entra tokens for Azure Storage.</summary>
    public const string StorageAudienceScope = "https://storage.azure.com/.default";

    // Holds the account key or SAS: it is only ever handed to the SDK, never shown (ToString, errors, logs).
    private readonly string? _connectionString;

    private StorageConnection(string settingName, string? connectionString, TokenCredential? credential, Uri? queueServiceUri, Uri? blobServiceUri, string? accountName)
    {
        SettingName = settingName;
        _connectionString = connectionString;
        Credential = credential;
        QueueServiceUri = queueServiceUri;
        BlobServiceUri = blobServiceUri;
        AccountName = accountName;
    }

    /// <summary>The setting this connection came from, named in errors about it.</summary>
    public string SettingName { get; }

    public StorageAuthentication Authentication => Credential is null ? StorageAuthentication.ConnectionString : StorageAuthentication.Identity;

    /// <summary>The credential of an identity-based connection; null for a connection string.</summary>
    public TokenCredential? Credential { get; }

    /// <summary>e.g. https://account.queue.core.windows.net or http://127.0.0.1:10001/devstoreaccount1 (never a SAS); null when the setting gives none.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>e.g. https://account.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1 (never a SAS); null when the setting gives none.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>The storage account, when the endpoints or the connection string tell it.</summary>
    public string? AccountName { get; }

    /// <param name="settingName">Named in the error messages, e.g. "AzureWebJobsStorage".</param>
    /// <exception cref="InvalidOperationException">The SDK cannot parse it; the message names the setting, never its value.</exception>
    public static StorageConnection FromConnectionString(string connectionString, string settingName = "connection string")
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var queue = NamesEndpoint(connectionString, "Queue") ? Parse(() => new QueueServiceClient(connectionString), settingName) : null;
        var blob = NamesEndpoint(connectionString, "Blob") ? Parse(() => new BlobServiceClient(connectionString), settingName) : null;
        if (queue is null && blob is null)
            throw new InvalidOperationException($"Setting '{settingName}' is not a valid storage connection string: it gives neither a queue nor a blob endpoint.");
        return new StorageConnection(settingName, connectionString, null,
            WithoutQuery(queue?.Uri), WithoutQuery(blob?.Uri), NonEmpty(queue?.AccountName) ?? NonEmpty(blob?.AccountName));
    }

    /// <summary>An identity-based connection to the given endpoints (https only: the SDK sends no bearer token over http).</summary>
    public static StorageConnection WithTokenCredential(TokenCredential credential, Uri? queueServiceUri, Uri? blobServiceUri, string settingName = "connection")
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (queueServiceUri is null && blobServiceUri is null)
            throw new ArgumentException("An identity-based connection needs a queue or a blob service endpoint.", nameof(queueServiceUri));
        var account = AccountFromHost(queueServiceUri, ".queue.") ?? AccountFromHost(blobServiceUri, ".blob.");
        return new StorageConnection(settingName, null, credential, queueServiceUri, blobServiceUri, account);
    }

    /// <summary>The queue endpoint, or an error naming the setting that lacks it.</summary>
    public Uri RequireQueueServiceUri() => QueueServiceUri ?? throw MissingEndpoint("queue");

    /// <summary>The blob endpoint, or an error naming the setting that lacks it.</summary>
    public Uri RequireBlobServiceUri() => BlobServiceUri ?? throw MissingEndpoint("blob");

    /// <summary>A queue service client with <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">The setting has no queue endpoint, or it is one the connection must not use.</exception>
    internal QueueServiceClient CreateQueueServiceClient(QueueClientOptions options)
    {
        EnsureProtected(RequireQueueServiceUri(), "queue");
        return Credential is null ? new QueueServiceClient(_connectionString, options) : new QueueServiceClient(QueueServiceUri, Credential, options);
    }

    /// <summary>A blob service client with <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">The setting has no blob endpoint, or it is one the connection must not use.</exception>
    internal BlobServiceClient CreateBlobServiceClient(BlobClientOptions options)
    {
        EnsureProtected(RequireBlobServiceUri(), "blob");
        return Credential is null ? new BlobServiceClient(_connectionString, options) : new BlobServiceClient(BlobServiceUri, Credential, options);
    }

    public override string ToString() => $"'{SettingName}' ({Authentication})";

    // A bearer token is a secret on the wire, and the SDK refuses it over http with a bare ArgumentException: say which
    // setting is wrong instead. An account key never travels, but requests and bodies do: plain http only to a local emulator.
    private void EnsureProtected(Uri endpoint, string service)
    {
        if (endpoint.Scheme == Uri.UriSchemeHttps) return;
        if (Credential is not null)
            throw new InvalidOperationException($"Setting '{SettingName}': a bearer token is only sent over https; the {service} endpoint is {endpoint.GetLeftPart(UriPartial.Authority)}.");
        if (!endpoint.IsLoopback)
            throw new InvalidOperationException($"Setting '{SettingName}': the {service} endpoint {endpoint.GetLeftPart(UriPartial.Authority)} must use https (plain http is only allowed to a local emulator on loopback).");
    }

    private InvalidOperationException MissingEndpoint(string service) => new(
        $"Setting '{SettingName}' gives no {service} service endpoint: add {char.ToUpperInvariant(service[0])}{service[1..]}Endpoint= to the connection string, " +
        $"or set '{SettingName}__{service}ServiceUri' or '{SettingName}__accountName'.");

    // The SDK takes a service's endpoint from "<Service>Endpoint=", or derives it from AccountName (or the emulator's
    // well-known account); a string with neither for a service (a SAS for one service) makes a client that fails obscurely,
    // so that service is left unknown here instead. Only the key names are looked at: the SDK parses the values.
    private static bool NamesEndpoint(string connectionString, string service) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2)[0].Trim())
            .Any(key => key.Equals(service + "Endpoint", StringComparison.OrdinalIgnoreCase)
                        || key.Equals("AccountName", StringComparison.OrdinalIgnoreCase)
                        || key.Equals("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase));

    // The SDK's parser throws FormatException for a string it cannot read; its messages name no values.
    private static T Parse<T>(Func<T> create, string settingName)
    {
        try
        {
            return create();
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"Setting '{settingName}' is not a valid storage connection string: {e.Message}", e);
        }
    }

    // A SAS connection string puts its token in the client's URI: the endpoint shown is the one without it.
    private static Uri? WithoutQuery(Uri? uri) => uri is null ? null : new UriBuilder(uri) { Query = "" }.Uri;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? AccountFromHost(Uri? uri, string serviceLabel)
    {
        if (uri is null) return null;
        var dot = uri.Host.IndexOf('.');
        return dot > 0 && uri.Host.Contains(serviceLabel, StringComparison.OrdinalIgnoreCase) ? uri.Host[..dot] : null;
    }
}
