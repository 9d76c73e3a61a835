using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Callers;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Standalone stand-in for the Functions host's key check: a non-anonymous function is reached only by a caller
/// presenting a valid broker credential. The function itself then checks that the caller's scope covers the
/// mailbox and operation (as it does under the Functions host, behind the function key). No loopback exemption:
/// any local process or web page could otherwise borrow the broker's power.
/// </summary>
internal static class HttpAuthLevelCheck
{
    /// <summary>Null when the caller may go on; otherwise the refusal to send.</summary>
    public static async Task<IResult?> CheckAsync(AuthorizationLevel level, HttpContext http)
    {
        if (level == AuthorizationLevel.Anonymous) return null;
        var access = http.RequestServices.GetRequiredService<CallerAccess>();
        var (_, refusal) = await access.AuthenticateAsync(http, http.RequestAborted).ConfigureAwait(false);
        return refusal;
    }
}
