namespace TokenBroker.AzureStorage;

/// <summary>
/// Parses Azure Storage connection strings: "UseDevelopmentStorage=true" (Azurite's well-known account),
/// "DefaultEndpointsProtocol=..;AccountName=..;AccountKey=..;EndpointSuffix=.." and explicit "QueueEndpoint=" /
/// "BlobEndpoint=". A service without an explicit endpoint gets the public one derived from the account, unless
/// the string names explicit endpoints for other services and no EndpointSuffix: that is an emulator or private
/// endpoint set-up, where a derived public endpoint would be wrong, so that service is left unknown.
/// </summary>
internal static class StorageConnectionString
{
    // Azurite's development account: public values documented by Microsoft, not a secret.
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const int DevelopmentBlobPort = 10000;
    private const int DevelopmentQueuePort = 10001;

    public static StorageConnection Parse(string connectionString, string settingName)
    {
        var parts = Split(connectionString, settingName);
        if (parts.TryGetValue("UseDevelopmentStorage", out var development) && development.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            var host = new Uri("http://127.0.0.1");
            if (parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy))
                host = ParseUri(proxy, settingName, "DevelopmentStorageProxyUri");
            return StorageConnection.WithSharedKey(DevelopmentAccountName, DevelopmentAccountKey,
                DevelopmentEndpoint(host, DevelopmentQueuePort), DevelopmentEndpoint(host, DevelopmentBlobPort), settingName);
        }

        if (parts.ContainsKey("SharedAccessSignature"))
            throw new InvalidOperationException($"Setting '{settingName}': SAS connection strings are not supported; use an account key or an identity-based connection ({settingName}__accountName).");
        if (!parts.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
            throw new InvalidOperationException($"Setting '{settingName}': the connection string has no AccountName.");
        if (!parts.TryGetValue("AccountKey", out var accountKey) || accountKey.Length == 0)
            throw new InvalidOperationException($"Setting '{settingName}': the connection string has no AccountKey.");

        var hasExplicitEndpoints = parts.Keys.Any(k => k.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase));
        var derive = !hasExplicitEndpoints || parts.ContainsKey("EndpointSuffix");
        var queue = Endpoint(parts, settingName, accountName, "queue", derive);
        var blob = Endpoint(parts, settingName, accountName, "blob", derive);
        return StorageConnection.WithSharedKey(accountName, accountKey, queue, blob, settingName);
    }

    private static Uri DevelopmentEndpoint(Uri host, int port) => new($"{host.Scheme}://{host.Host}:{port}/{DevelopmentAccountName}");

    private static Uri? Endpoint(Dictionary<string, string> parts, string settingName, string accountName, string service, bool derive)
    {
        var key = char.ToUpperInvariant(service[0]) + service[1..] + "Endpoint";
        if (parts.TryGetValue(key, out var explicitEndpoint)) return ParseUri(explicitEndpoint, settingName, key);
        if (!derive) return null;
        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
        if (protocol is not ("https" or "http"))
            throw new InvalidOperationException($"Setting '{settingName}': DefaultEndpointsProtocol must be https or http, not '{protocol}'.");
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return ParseUri($"{protocol}://{accountName}.{service}.{suffix}", settingName, "AccountName/EndpointSuffix");
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
