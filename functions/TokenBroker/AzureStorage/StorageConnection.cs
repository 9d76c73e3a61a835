using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.AzureStorage;

/// <summary>How requests to a storage service are authorized.</summary>
public enum StorageAuthentication
{
    /// <summary>An account key signs each request (connection strings).</summary>
    SharedKey,

    /// <summary>An Entra token from a <see cref="TokenCredential"/> (identity-based connections).</summary>
    BearerToken,
}

/// <summary>
/// A storage account's service endpoints and how to authorize against them, resolved from a connection setting
/// the way the Functions host resolves one (e.g. "AzureWebJobsStorage"). The queue transport and the blob ledger
/// share it, so one setting serves both.
/// </summary>
public sealed class StorageConnection
{
    public const string StorageAudienceScope = "https://storage.azure.com/.default";

    private StorageConnection(string settingName, Uri? queueServiceUri, Uri? blobServiceUri, StorageAuthentication authentication,
        string? accountName, byte[]? accountKey, TokenCredential? credential)
    {
        SettingName = settingName;
        QueueServiceUri = queueServiceUri;
        BlobServiceUri = blobServiceUri;
        Authentication = authentication;
        AccountName = accountName;
        AccountKey = accountKey;
        Credential = credential;
    }

    /// <summary>The setting this connection came from, named in errors about it.</summary>
    public string SettingName { get; }

    /// <summary>e.g. https://account.queue.core.windows.net; null when the setting does not say (e.g. only __blobServiceUri).</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>e.g. https://account.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1; null when the setting does not say.</summary>
    public Uri? BlobServiceUri { get; }

    public StorageAuthentication Authentication { get; }

    /// <summary>The storage account, when known (always for <see cref="StorageAuthentication.SharedKey"/>).</summary>
    public string? AccountName { get; }

    /// <summary>The credential for <see cref="StorageAuthentication.BearerToken"/>.</summary>
    public TokenCredential? Credential { get; }

    internal byte[]? AccountKey { get; }

    /// <summary>The queue endpoint, or an error naming the setting that lacks it.</summary>
    public Uri RequireQueueServiceUri() => QueueServiceUri ?? throw MissingEndpoint("queue");

    /// <summary>The blob endpoint, or an error naming the setting that lacks it.</summary>
    public Uri RequireBlobServiceUri() => BlobServiceUri ?? throw MissingEndpoint("blob");

    public static StorageConnection WithSharedKey(string accountName, string accountKeyBase64, Uri? queueServiceUri, Uri? blobServiceUri, string settingName = "AccountKey")
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        ArgumentNullException.ThrowIfNull(accountKeyBase64);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(accountKeyBase64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Setting '{settingName}': the AccountKey is not valid base64.");
        }
        return new StorageConnection(settingName, queueServiceUri, blobServiceUri, StorageAuthentication.SharedKey, accountName, key, null);
    }

    public static StorageConnection WithTokenCredential(TokenCredential credential, Uri? queueServiceUri, Uri? blobServiceUri, string settingName = "connection")
    {
        ArgumentNullException.ThrowIfNull(credential);
        var account = AccountFromHost(queueServiceUri, ".queue.") ?? AccountFromHost(blobServiceUri, ".blob.");
        return new StorageConnection(settingName, queueServiceUri, blobServiceUri, StorageAuthentication.BearerToken, account, null, credential);
    }

    /// <param name="settingName">Named in the error messages, e.g. "AzureWebJobsStorage".</param>
    public static StorageConnection FromConnectionString(string connectionString, string settingName = "connection string")
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return StorageConnectionString.Parse(connectionString, settingName);
    }

    /// <summary>
    /// Resolves <paramref name="connectionName"/> like the Functions host: a plain value (also under
    /// ConnectionStrings:) is a connection string; otherwise the identity-based keys <c>{name}__accountName</c>,
    /// <c>{name}__queueServiceUri</c>, <c>{name}__blobServiceUri</c>, with optional <c>__credential</c>
    /// ("managedidentity"), <c>__clientId</c>, <c>__tenantId</c> + <c>__clientSecret</c>.
    /// .NET configuration shows "name__key" environment variables as "name:key".
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is missing or invalid; the message names it.</exception>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        foreach (var name in CandidateNames(connectionName))
        {
            var connectionString = configuration.GetConnectionString(name) ?? configuration[name];
            if (!string.IsNullOrWhiteSpace(connectionString)) return FromConnectionString(connectionString, name);

            var section = configuration.GetSection(name);
            if (section.GetChildren().Any()) return FromIdentitySettings(section, name);
        }
        throw new InvalidOperationException(
            $"Setting '{connectionName}' is missing: set it to a storage connection string, or set '{connectionName}__accountName' " +
            $"(or '{connectionName}__queueServiceUri' / '{connectionName}__blobServiceUri') for an identity-based connection.");
    }

    private InvalidOperationException MissingEndpoint(string service) => new(
        $"Setting '{SettingName}' gives no {service} service endpoint: add {Capitalized(service)}Endpoint= to the connection string, " +
        $"or set '{SettingName}__{service}ServiceUri' or '{SettingName}__accountName'.");

    private static string Capitalized(string service) => char.ToUpperInvariant(service[0]) + service[1..];

    private static IEnumerable<string> CandidateNames(string connectionName)
    {
        yield return connectionName;
        // The WebJobs SDK also looks a short name up with its "AzureWebJobs" prefix ("Storage" → "AzureWebJobsStorage").
        if (!connectionName.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)) yield return "AzureWebJobs" + connectionName;
    }

    private static StorageConnection FromIdentitySettings(IConfigurationSection section, string name)
    {
        var accountName = section["accountName"];
        var queue = ServiceUri(section, name, "queue", accountName);
        var blob = ServiceUri(section, name, "blob", accountName);
        if (queue is null && blob is null)
            throw new InvalidOperationException(
                $"Setting '{name}' has none of '{name}__accountName', '{name}__queueServiceUri' or '{name}__blobServiceUri' (nor a connection string value).");
        return WithTokenCredential(CreateCredential(section, name), queue, blob, name);
    }

    private static Uri? ServiceUri(IConfigurationSection section, string name, string service, string? accountName)
    {
        if (section[$"{service}ServiceUri"] is { Length: > 0 } serviceUri)
        {
            return Uri.TryCreate(serviceUri, UriKind.Absolute, out var endpoint) && endpoint.Scheme == Uri.UriSchemeHttps
                ? endpoint
                : throw new InvalidOperationException($"Setting '{name}__{service}ServiceUri': '{serviceUri}' is not an absolute https URI.");
        }
        if (accountName is { Length: > 0 })
        {
            return Uri.TryCreate($"https://{accountName}.{service}.core.windows.net", UriKind.Absolute, out var endpoint)
                ? endpoint
                : throw new InvalidOperationException($"Setting '{name}__accountName': '{accountName}' is not a storage account name.");
        }
        return null;
    }

    private static TokenCredential CreateCredential(IConfigurationSection section, string name)
    {
        var kind = section["credential"];
        var clientId = section["clientId"];
        if (kind is { Length: > 0 })
        {
            if (!kind.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Setting '{name}__credential': '{kind}' is not supported; the only value is 'managedidentity'.");
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        if (section["tenantId"] is { Length: > 0 } tenantId && section["clientSecret"] is { Length: > 0 } secret)
        {
            if (string.IsNullOrEmpty(clientId))
                throw new InvalidOperationException($"Setting '{name}__clientId' is required with '{name}__tenantId' and '{name}__clientSecret'.");
            return new ClientSecretCredential(tenantId, clientId, secret);
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrEmpty(clientId) ? null : clientId });
    }

    private static string? AccountFromHost(Uri? uri, string serviceLabel)
    {
        if (uri is null) return null;
        var dot = uri.Host.IndexOf('.');
        return dot > 0 && uri.Host.Contains(serviceLabel, StringComparison.OrdinalIgnoreCase) ? uri.Host[..dot] : null;
    }
}
