using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace TokenBroker.OAuth;

/// <summary>
/// Who may use the broker's administrative endpoints.
/// Behind the Azure Functions host the function key (authLevel function in the function table) has already
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

    public static bool IsBehindFunctionsHost(OAuthOptions options) =>
        options.BehindFunctionsHost ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT"));

    /// <summary>Null when allowed; otherwise the refusal to return.</summary>
    public static IResult? CheckAdministration(HttpContext context, OAuthOptions options)
    {
        if (IsBehindFunctionsHost(options) || IsDirectLoopback(context)) return null;
        return CheckAdminKey(context, options,
            "Only callers on this machine or holding the admin key may do this: send the " + AdminKeyHeader + " header (OAuth:AdminKey).");
    }

    /// <summary>Null when allowed; otherwise the refusal to return. Loopback alone is not enough (see the class remarks).</summary>
    public static IResult? CheckTokenAccess(HttpContext context, OAuthOptions options)
    {
        if (IsBehindFunctionsHost(options)) return null;
        return CheckAdminKey(context, options,
            "Tokens are handed out only to callers holding the admin key: send the " + AdminKeyHeader + " header (OAuth:AdminKey).");
    }

    private static IResult? CheckAdminKey(HttpContext context, OAuthOptions options, string refusal)
    {
        if (string.IsNullOrEmpty(options.AdminKey))
            return Refuse(StatusCodes.Status403Forbidden, "No admin key is configured (OAuth:AdminKey), so this endpoint is closed to this caller.");
        if (!context.Request.Headers.TryGetValue(AdminKeyHeader, out var sent) || sent.Count != 1 || string.IsNullOrEmpty(sent[0]))
            return Refuse(StatusCodes.Status401Unauthorized, refusal);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(sent[0]!));
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? null
            : Refuse(StatusCodes.Status403Forbidden, "The admin key sent in " + AdminKeyHeader + " is wrong.");
    }

    /// <summary>A loopback peer that forwarded nobody else's request (a local reverse proxy would add a forwarding header).</summary>
    private static bool IsDirectLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !context.Request.Headers.ContainsKey("X-Forwarded-For")
        && !context.Request.Headers.ContainsKey("Forwarded");

    private static IResult Refuse(int statusCode, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: statusCode, title: statusCode == 401 ? "Authentication required" : "Forbidden");
}
