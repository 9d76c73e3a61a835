using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Standalone stand-in for the Functions host's key check: a non-anonymous function answers callers on this
/// machine, or callers presenting the admin key as the host's own <c>x-functions-key</c> header or <c>code</c>
/// query, or in the broker's admin-key header. Under the Functions host the host has already checked the function
/// key before the worker sees the request.
/// </summary>
internal static class HttpAuthLevelCheck
{
    public const string KeyHeader = "x-functions-key";

    /// <summary>Null when the caller may go on; otherwise the refusal to send.</summary>
    /// <param name="adminKey">The one admin key of the broker (OAuth:AdminKey, else Broker:AdminKey), the same the OAuth endpoints accept.</param>
    public static IResult? Check(AuthorizationLevel level, HttpContext http, string? adminKey)
    {
        if (level == AuthorizationLevel.Anonymous)
            return null;
        if (PresentsAdminKey(http.Request, adminKey) || IsLocal(http))
            return null;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "This function needs the admin key.",
            detail: $"Call it from the broker's own machine, or send the admin key (setting '{BrokerOptions.Section}:AdminKey') in the '{KeyHeader}' header.");
    }

    private static bool PresentsAdminKey(HttpRequest request, string? adminKey)
    {
        if (string.IsNullOrEmpty(adminKey))
            return false;
        var presented = request.Headers[KeyHeader].FirstOrDefault()
            ?? request.Headers[TokenBroker.OAuth.AdminAccess.AdminKeyHeader].FirstOrDefault()
            ?? request.Query["code"].FirstOrDefault();
        return presented is not null &&
               CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(adminKey));
    }

    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) && !http.Request.Headers.ContainsKey("X-Forwarded-For");
}
