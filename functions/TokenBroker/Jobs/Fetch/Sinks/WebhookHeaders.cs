namespace TokenBroker.Jobs.Fetch.Sinks;

/// <summary>
/// Static headers for webhook receivers that want them (e.g. osTicket's api/tickets.email wants X-API-Key). Settings:
/// Mail:Webhooks:&lt;name&gt;:Url = the receiver URL (prefix match), Mail:Webhooks:&lt;name&gt;:Headers:&lt;header&gt; = value.
/// Every entry whose Url the request's sink URL starts with contributes its headers.
/// </summary>
public sealed class WebhookHeaders(IConfiguration configuration)
{
    public const string Section = "Mail:Webhooks";

    public IReadOnlyList<KeyValuePair<string, string>> For(Uri url)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            var prefix = entry["Url"];
            if (string.IsNullOrEmpty(prefix) || !url.AbsoluteUri.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var header in entry.GetSection("Headers").GetChildren())
                if (header.Value is { } value) headers.Add(new(header.Key, value));
        }
        return headers;
    }
}
