using Microsoft.AspNetCore.Http;

namespace TokenBroker.OAuth;

/// <summary>Where people reach the broker, for links it hands out.</summary>
public static class PublicAddress
{
    /// <summary>
    /// OAuth:PublicBaseUrl when set; otherwise the address this request came in on (its Host was checked against
    /// Broker:AllowedHosts standalone, and on Azure the platform routes only its own host names).
    /// </summary>
    public static string BaseUrl(HttpContext context, OAuthOptions options) =>
        options.PublicBaseUrl is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
}
