using System.Net.Http.Headers;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>How long the identity provider asked us to wait (Retry-After on a 429 or 503), read where it arrives.</summary>
internal static class IdentityProviderRetryAfter
{
    /// <summary>The header's delay; a date is wall-clock time.</summary>
    public static TimeSpan? Of(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    /// <summary>The delay of the first MSAL service error that carries the header, wherever MSAL wrapped it.</summary>
    public static TimeSpan? Of(Exception exception) =>
        Of(ExceptionChain.Of(exception).OfType<MsalServiceException>().Select(e => e.Headers?.RetryAfter).FirstOrDefault(h => h is not null));
}
