using Microsoft.Extensions.Configuration;

namespace TokenBroker.StorageAccount;

public sealed partial class StorageConnection
{
    /// <summary>
    /// Resolves <paramref name="connectionName"/> like the Functions host: a plain value (also under ConnectionStrings:) is a
    /// connection string (account key, SAS, or "UseDevelopmentStorage=true" for Azurite on 127.0.0.1); otherwise the
    /// identity-based keys <c>{name}__accountName</c>, <c>{name}__queueServiceUri</c>, <c>{name}__blobServiceUri</c>, with
    /// optional <c>__credential</c> ("managedidentity"), <c>__clientId</c>, <c>__tenantId</c> + <c>__clientSecret</c>
    /// (see <see cref="IdentitySettingsCredential"/>). .NET configuration shows "name__key" environment variables as "name:key".
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

    private static IEnumerable<string> CandidateNames(string connectionName)
    {
        yield return connectionName;
        // The WebJobs SDK also looks a short name up with its "AzureWebJobs" prefix ("Storage" → "AzureWebJobsStorage").
        if (!connectionName.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)) yield return "AzureWebJobs" + connectionName;
    }

    private static StorageConnection FromIdentitySettings(IConfigurationSection section, string name)
    {
        var accountName = section["accountName"];
        var queue = IdentityServiceUri(section, name, "queue", accountName);
        var blob = IdentityServiceUri(section, name, "blob", accountName);
        if (queue is null && blob is null)
            throw new InvalidOperationException(
                $"Setting '{name}' has none of '{name}__accountName', '{name}__queueServiceUri' or '{name}__blobServiceUri' (nor a connection string value).");
        return WithTokenCredential(IdentitySettingsCredential.Create(section, name), queue, blob, name);
    }

    private static Uri? IdentityServiceUri(IConfigurationSection section, string name, string service, string? accountName)
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
}
