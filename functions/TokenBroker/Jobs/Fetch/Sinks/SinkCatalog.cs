using TokenBroker.Jobs.Webhooks;

namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>A webhook sink the operator configured (Sinks:Webhooks:&lt;name&gt;).</summary>
public sealed record WebhookSinkSettings(string Name, Uri Url, byte[] Key, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>A Maildir sink the operator configured (Sinks:Maildirs:&lt;name&gt;); requests may only add a sub-folder beneath <see cref="Root"/>.</summary>
public sealed record MaildirSinkSettings(string Name, string Root);

/// <summary>
/// The sinks fetched mail may go to. They belong to the operator: a fetch request only names one, so it can choose
/// neither a URL, nor a path outside a configured root, nor a secret. Settings, read and checked at start:
/// Sinks:Webhooks:&lt;name&gt;:Url (https; http only for loopback), :Secret (the HMAC key, "whsec_&lt;base64&gt;" or
/// at least 16 characters), :Headers:&lt;header&gt; (static headers, sent to that URL only);
/// Sinks:Maildirs:&lt;name&gt;:Root (an absolute folder). Names are case-insensitive and unique across both kinds.
/// </summary>
public sealed class SinkCatalog
{
    public const string Section = "Sinks";
    private const int MinimumKeyBytes = 16;

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection",
        StandardWebhookSignature.IdHeader, StandardWebhookSignature.TimestampHeader, StandardWebhookSignature.SignatureHeader,
    };

    private readonly Dictionary<string, WebhookSinkSettings> _webhooks;
    private readonly Dictionary<string, MaildirSinkSettings> _maildirs;

    private SinkCatalog(Dictionary<string, WebhookSinkSettings> webhooks, Dictionary<string, MaildirSinkSettings> maildirs)
    {
        _webhooks = webhooks;
        _maildirs = maildirs;
    }

    public bool TryGetWebhook(string name, out WebhookSinkSettings webhook) => _webhooks.TryGetValue(name, out webhook!);

    public bool TryGetMaildir(string name, out MaildirSinkSettings maildir) => _maildirs.TryGetValue(name, out maildir!);

    public bool Contains(string name) => _webhooks.ContainsKey(name) || _maildirs.ContainsKey(name);

    /// <exception cref="InvalidOperationException">A sink setting is wrong; the message names it in one sentence.</exception>
    public static SinkCatalog Load(IConfiguration configuration)
    {
        if (configuration.GetSection("Mail:Webhooks").GetChildren().Any())
            throw new InvalidOperationException("Setting 'Mail:Webhooks' is no longer read: configure each receiver as a named sink under 'Sinks:Webhooks:<name>' (Url, Secret, Headers) and name it in fetch requests (\"sink\": {\"name\": \"<name>\"}).");
        var webhooks = new Dictionary<string, WebhookSinkSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in configuration.GetSection($"{Section}:Webhooks").GetChildren())
            webhooks[entry.Key] = LoadWebhook(entry);
        var maildirs = new Dictionary<string, MaildirSinkSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in configuration.GetSection($"{Section}:Maildirs").GetChildren())
        {
            if (webhooks.ContainsKey(entry.Key))
                throw new InvalidOperationException($"Sink name '{entry.Key}' is both a webhook and a maildir sink (Sinks:Webhooks and Sinks:Maildirs); give each sink its own name.");
            maildirs[entry.Key] = LoadMaildir(entry);
        }
        return new SinkCatalog(webhooks, maildirs);
    }

    private static WebhookSinkSettings LoadWebhook(IConfigurationSection entry)
    {
        var path = entry.Path;
        if (!Uri.TryCreate(entry["Url"], UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))
            || !string.IsNullOrEmpty(url.UserInfo))
            throw new InvalidOperationException($"Setting '{path}:Url' is '{entry["Url"]}'; give the receiver's https URL (http only for loopback, no user:password in it).");
        var secret = entry["Secret"];
        if (string.IsNullOrEmpty(secret))
            throw new InvalidOperationException($"Setting '{path}:Secret' is not set; set it to the HMAC secret shared with the receiver (whsec_<base64> or at least {MinimumKeyBytes} characters).");
        byte[] key;
        try
        {
            key = StandardWebhookSignature.KeyFromSecret(secret);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Setting '{path}:Secret' starts with '{StandardWebhookSignature.SecretPrefix}' but the rest is not base64.");
        }
        if (key.Length < MinimumKeyBytes)
            throw new InvalidOperationException($"Setting '{path}:Secret' is too short to be a signing key; use at least {MinimumKeyBytes} bytes (e.g. whsec_ followed by 32 random bytes in base64).");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in entry.GetSection("Headers").GetChildren())
        {
            if (header.Key.Any(c => c is <= ' ' or > '~' or ':' or '(' or ')' or ',' or ';' or '"') || ReservedHeaders.Contains(header.Key)
                || header.Key.StartsWith("X-TokenBroker-", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Setting '{path}:Headers:{header.Key}' names a header the broker cannot send as a static header; use another header name.");
            if (header.Value is null || header.Value.Any(char.IsControl))
                throw new InvalidOperationException($"Setting '{path}:Headers:{header.Key}' is empty or contains control characters (CR, LF, …).");
            headers.Add(new(header.Key, header.Value));
        }
        return new WebhookSinkSettings(entry.Key, url, key, headers);
    }

    private static MaildirSinkSettings LoadMaildir(IConfigurationSection entry)
    {
        var root = entry["Root"];
        if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            throw new InvalidOperationException($"Setting '{entry.Path}:Root' is '{root}'; give the absolute path of the folder this sink delivers into.");
        return new MaildirSinkSettings(entry.Key, Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
    }
}
