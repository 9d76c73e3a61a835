using Microsoft.AspNetCore.Http;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// The Host header check of the standalone face: a request naming a host the broker was not configured to answer
/// to gets 400 with a sentence. This closes DNS rebinding (a web page whose own name resolves to 127.0.0.1).
/// </summary>
internal sealed class AllowedHosts
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];
    private readonly HashSet<string> _hosts;
    private readonly bool _any;

    private AllowedHosts(IEnumerable<string> hosts)
    {
        _hosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
        _any = _hosts.Contains("*");
    }

    /// <summary>
    /// Broker:AllowedHosts when given; otherwise the hosts of Broker:Urls (loopback addresses stand for every loopback
    /// name) and of the public addresses. Null plus a sentence when the broker listens on every interface and no
    /// names are given: then it cannot know which names are its own.
    /// </summary>
    public static (AllowedHosts? Hosts, string? Problem) From(BrokerOptions broker, IEnumerable<string?> publicAddresses)
    {
        if (!string.IsNullOrWhiteSpace(broker.AllowedHosts))
            return (new AllowedHosts(broker.AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), null);
        var hosts = new List<string>();
        foreach (var url in broker.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = HostOf(url);
            if (host is "*" or "+" or "0.0.0.0" or "[::]")
                return (null, $"Setting '{BrokerOptions.Section}:Urls' listens on every interface ({url}); name the host names callers use in '{BrokerOptions.Section}:AllowedHosts' (';'-separated, '*' accepts any).");
            if (host is null) continue;
            hosts.Add(host);
            if (LoopbackNames.Contains(host, StringComparer.OrdinalIgnoreCase)) hosts.AddRange(LoopbackNames);
        }
        foreach (var address in publicAddresses)
            if (address is { Length: > 0 } && Uri.TryCreate(address, UriKind.Absolute, out var uri)) hosts.Add(uri.Host.Contains(':') ? $"[{uri.Host.Trim('[', ']')}]" : uri.Host);
        return (new AllowedHosts(hosts), null);
    }

    public IResult? Check(HttpRequest request)
    {
        if (_any) return null;
        var host = request.Host.Host;
        if (request.Host.HasValue && _hosts.Contains(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)) return null;
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown host name",
            detail: $"This broker does not answer to the host name '{(request.Host.HasValue ? Shorten(request.Host.Value) : "(none)")}'; add it to '{BrokerOptions.Section}:AllowedHosts' if callers really use it.");
    }

    /// <summary>The host part of a Kestrel URL, which may be a wildcard ("http://*:7071") that Uri refuses.</summary>
    private static string? HostOf(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return null;
        var rest = url[(schemeEnd + 3)..];
        var end = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']);
        return end <= 0 ? rest : rest[..end];
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
