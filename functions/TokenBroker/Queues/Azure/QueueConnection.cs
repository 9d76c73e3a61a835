using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace TokenBroker.Queues;

/// <summary>How requests to the queue service are authorized.</summary>
public enum QueueAuthentication
{
    /// <summary>An account key signs each request (connection strings).</summary>
    SharedKey,

    /// <summary>An Entra token from a <see cref="TokenCredential"/> (identity-based connections).</summary>
    BearerToken,
}

/// <summary>
/// Where a storage account's queue service is and how to authorize against it, resolved from a connection
/// setting the way the Functions host resolves one (e.g. "AzureWebJobsStorage").
/// </summary>
public sealed class QueueConnection
{
    public const string StorageAudienceScope = "https://storage.azure.com/.default";

    private QueueConnection(Uri queueServiceUri, QueueAuthentication authentication, string? accountName, byte[]? accountKey, TokenCredential? credential)
    {
        QueueServiceUri = queueServiceUri;
        Authentication = authentication;
        AccountName = accountName;
        AccountKey = accountKey;
        Credential = credential;
    }

    /// <summary>The queue service endpoint, e.g. https://account.queue.core.windows.net or http://127.0.0.1:10001/devstoreaccount1.</summary>
    public Uri QueueServiceUri { get; }

    public QueueAuthentication Authentication { get; }

    /// <summary>The storage account, when known (always for <see cref="QueueAuthentication.SharedKey"/>).</summary>
    public string? AccountName { get; }

    /// <summary>The credential for <see cref="QueueAuthentication.BearerToken"/>.</summary>
    public TokenCredential? Credential { get; }

    internal byte[]? AccountKey { get; }

    public static QueueConnection WithSharedKey(Uri queueServiceUri, string accountName, string accountKeyBase64, string settingName = "AccountKey")
    {
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(accountKeyBase64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Setting '{settingName}': the AccountKey is not valid base64.");
        }
        return new QueueConnection(queueServiceUri, QueueAuthentication.SharedKey, accountName, key, null);
    }

    public static QueueConnection WithTokenCredential(Uri queueServiceUri, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(queueServiceUri);
        ArgumentNullException.ThrowIfNull(credential);
        return new QueueConnection(queueServiceUri, QueueAuthentication.BearerToken, AccountFromHost(queueServiceUri), null, credential);
    }

    /// <param name="settingName">Named in the error messages, e.g. "AzureWebJobsStorage".</param>
    public static QueueConnection FromConnectionString(string connectionString, string settingName = "connection string")
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return QueueConnectionString.Parse(connectionString, settingName);
    }

    /// <summary>
    /// Resolves <paramref name="connectionName"/> like the Functions host: a plain value (also under
    /// ConnectionStrings:) is a connection string; otherwise the identity-based keys
    /// <c>{name}__queueServiceUri</c> or <c>{name}__accountName</c>, with optional <c>__credential</c>
    /// ("managedidentity"), <c>__clientId</c>, <c>__tenantId</c> + <c>__clientSecret</c>.
    /// .NET configuration shows "name__key" environment variables as "name:key".
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is missing or invalid; the message names it.</exception>
    public static QueueConnection FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage")
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
            $"Setting '{connectionName}' is missing: set it to a storage connection string, or set " +
            $"'{connectionName}__queueServiceUri' or '{connectionName}__accountName' for an identity-based connection.");
    }

    private static IEnumerable<string> CandidateNames(string connectionName)
    {
        yield return connectionName;
        // The WebJobs SDK also looks a short name up with its "AzureWebJobs" prefix ("Storage" → "AzureWebJobsStorage").
        if (!connectionName.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)) yield return "AzureWebJobs" + connectionName;
    }

    private static QueueConnection FromIdentitySettings(IConfigurationSection section, string name)
    {
        Uri endpoint;
        if (section["queueServiceUri"] is { Length: > 0 } serviceUri)
        {
            if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out endpoint!) || endpoint.Scheme != Uri.UriSchemeHttps)
                throw new InvalidOperationException($"Setting '{name}__queueServiceUri': '{serviceUri}' is not an absolute https URI.");
        }
        else if (section["accountName"] is { Length: > 0 } accountName)
        {
            if (!Uri.TryCreate($"https://{accountName}.queue.core.windows.net", UriKind.Absolute, out endpoint!))
                throw new InvalidOperationException($"Setting '{name}__accountName': '{accountName}' is not a storage account name.");
        }
        else
        {
            throw new InvalidOperationException(
                $"Setting '{name}' has neither '{name}__queueServiceUri' nor '{name}__accountName' (nor a connection string value).");
        }
        return WithTokenCredential(endpoint, CreateCredential(section, name));
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

    private static string? AccountFromHost(Uri uri)
    {
        var dot = uri.Host.IndexOf('.');
        return dot > 0 && uri.Host.Contains(".queue.", StringComparison.OrdinalIgnoreCase) ? uri.Host[..dot] : null;
    }
}
