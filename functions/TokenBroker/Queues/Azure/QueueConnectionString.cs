namespace TokenBroker.Queues;

/// <summary>
/// Parses Azure Storage connection strings: "UseDevelopmentStorage=true" (Azurite's well-known account),
/// "DefaultEndpointsProtocol=..;AccountName=..;AccountKey=..;EndpointSuffix=.." and an explicit "QueueEndpoint=".
/// </summary>
internal static class QueueConnectionString
{
    // Azurite's development account: public values documented by Microsoft, not a secret.
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public static readonly Uri DevelopmentQueueEndpoint = new("http://127.0.0.1:10001/devstoreaccount1");

    public static QueueConnection Parse(string connectionString, string settingName)
    {
        var parts = Split(connectionString, settingName);
        if (parts.TryGetValue("UseDevelopmentStorage", out var development) && development.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            var endpoint = DevelopmentQueueEndpoint;
            if (parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy))
            {
                var proxyUri = ParseUri(proxy, settingName, "DevelopmentStorageProxyUri");
                endpoint = new Uri($"{proxyUri.Scheme}://{proxyUri.Host}:10001/{DevelopmentAccountName}");
            }
            return QueueConnection.WithSharedKey(endpoint, DevelopmentAccountName, DevelopmentAccountKey);
        }

        if (parts.ContainsKey("SharedAccessSignature"))
            throw new InvalidOperationException($"Setting '{settingName}': SAS connection strings are not supported; use an account key or an identity-based connection ({settingName}__accountName).");
        if (!parts.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
            throw new InvalidOperationException($"Setting '{settingName}': the connection string has no AccountName.");
        if (!parts.TryGetValue("AccountKey", out var accountKey) || accountKey.Length == 0)
            throw new InvalidOperationException($"Setting '{settingName}': the connection string has no AccountKey.");

        Uri queueEndpoint;
        if (parts.TryGetValue("QueueEndpoint", out var explicitEndpoint))
        {
            queueEndpoint = ParseUri(explicitEndpoint, settingName, "QueueEndpoint");
        }
        else
        {
            var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
            if (protocol is not ("https" or "http"))
                throw new InvalidOperationException($"Setting '{settingName}': DefaultEndpointsProtocol must be https or http, not '{protocol}'.");
            var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
            queueEndpoint = ParseUri($"{protocol}://{accountName}.queue.{suffix}", settingName, "AccountName/EndpointSuffix");
        }
        return QueueConnection.WithSharedKey(queueEndpoint, accountName, accountKey, settingName);
    }

    private static Dictionary<string, string> Split(string connectionString, string settingName)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = segment.IndexOf('=');
            if (separator <= 0)
                throw new InvalidOperationException($"Setting '{settingName}': '{Redact(segment)}' is not a Key=Value pair of a storage connection string.");
            parts[segment[..separator].Trim()] = segment[(separator + 1)..].Trim();
        }
        if (parts.Count == 0) throw new InvalidOperationException($"Setting '{settingName}' is empty.");
        return parts;
    }

    private static Uri ParseUri(string value, string settingName, string key) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"Setting '{settingName}': {key} '{value}' is not an absolute http(s) URI.");

    // A malformed segment may be a piece of the key: never echo it whole.
    private static string Redact(string segment) => segment.Length <= 12 ? segment : segment[..12] + "…";
}
