using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// A token's expiry as the broker records it: whole seconds, the precision MSAL's cache keeps, so that the
/// same token read back from the cache compares equal and causes no store write.
/// </summary>
internal static class TokenExpiry
{
    public static DateTimeOffset Of(AuthenticationResult result) => Of(result.ExpiresOn);

    public static DateTimeOffset Of(DateTimeOffset expiresOn) => DateTimeOffset.FromUnixTimeSeconds(expiresOn.ToUnixTimeSeconds());
}
