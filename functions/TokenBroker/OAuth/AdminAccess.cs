using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;

namespace TokenBroker.OAuth;

/// <summary>
/// Who may use the broker's administrative endpoints.
/// Behind the Azure Functions host the function key (authLevel function on the [Function]) has already
/// been checked before a request reaches the broker, and every request arrives from the host over loopback.
/// Standalone, two levels apply:
/// - starting a consent (and registering, admin consent): a loopback caller that came through no proxy, or the admin key.
///   Starting a consent only produces a sign-in link the mailbox's own user must complete, so the machine's
///   local users are trusted with it.
/// - reading a token: the admin key only. A token is a bearer credential to the mailbox; loopback would hand
///   it to every local process and user, to anything behind a reverse proxy on the same machine (which
///   makes every caller look local), and to web pages that reach 127.0.0.1 through DNS rebinding.
/// </summary>
public static class AdminAccess
{
    public const string AdminKeyHeader = "X-TokenBroker-Admin-Key";

    /// <summary>The Functions host's own key header, accepted too so that one key works for the hosting filter and here.</summary>
    public const string FunctionsKeyHeader = "x-functions-key";

    public static bool IsBehindFunctionsHost(HttpContext context, OAuthOptions options) =>
        options.BehindFunctionsHost
        ?? context.RequestServices.GetService<HostingModeInfo>()?.Mode == HostingMode.FunctionsWorker;

    /// <summary>Null when allowed; otherwise the refusal to return.</summary>
    public static IResult? CheckAdministration(HttpContext context, OAuthOptions options)
    {
        if (IsBehindFunctionsHost(context, options) || IsDirectLoopback(context)) return null;
        return CheckAdminKey(context, options,
            "Only callers on this machine or holding the admin key may do this: send it in the " + AdminKeyHeader + " header (setting OAuth:AdminKey, else Broker:AdminKey).");
    }

    /// <summary>Null when allowed; otherwise the refusal to return. Loopback alone is not enough (see the class remarks).</summary>
    public static IResult? CheckTokenAccess(HttpContext context, OAuthOptions options)
    {
        if (IsBehindFunctionsHost(context, options)) return null;
        return CheckAdminKey(context, options,
            "Tokens are handed out only to callers holding the admin key: send it in the " + AdminKeyHeader + " header (setting OAuth:AdminKey, else Broker:AdminKey).");
    }

    private static IResult? CheckAdminKey(HttpContext context, OAuthOptions options, string refusal)
    {
        if (string.IsNullOrEmpty(options.AdminKey))
            return Refuse(StatusCodes.Status403Forbidden, "No admin key is configured (OAuth:AdminKey or Broker:AdminKey), so this endpoint is closed to this caller.");
        var sent = PresentedKey(context.Request);
        if (string.IsNullOrEmpty(sent))
            return Refuse(StatusCodes.Status401Unauthorized, refusal);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(sent));
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? null
            : Refuse(StatusCodes.Status403Forbidden, "The admin key sent in " + AdminKeyHeader + " is wrong.");
    }

    /// <summary>The key from our header, the Functions header, or the Functions-style "code" query (handy in a browser).</summary>
    private static string? PresentedKey(HttpRequest request) =>
        request.Headers[AdminKeyHeader].FirstOrDefault()
        ?? request.Headers[FunctionsKeyHeader].FirstOrDefault()
        ?? request.Query["code"].FirstOrDefault();

    /// <summary>A loopback peer that forwarded nobody else's request (a local reverse proxy would add a forwarding header).</summary>
    private static bool IsDirectLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !context.Request.Headers.ContainsKey("X-Forwarded-For")
        && !context.Request.Headers.ContainsKey("Forwarded");

    private static IResult Refuse(int statusCode, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: statusCode, title: statusCode == 401 ? "Authentication required" : "Forbidden");
}
