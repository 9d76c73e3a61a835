using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Sasl;

/// <summary>Picks the OAuth SASL mechanism by name ("xoauth2" or "oauthbearer", any case) for an endpoint.</summary>
public static class OAuthMechanisms
{
    public static IReadOnlyList<string> Names { get; } = ["xoauth2", "oauthbearer"];

    /// <summary>The MailKit mechanism of that name, for one authentication exchange with <paramref name="endpoint"/>.</summary>
    public static OAuthSaslMechanism CreateSasl(string name, string user, string accessToken, MailEndpoint endpoint) =>
        name.ToLowerInvariant() switch
        {
            "xoauth2" => new XOAuth2SaslMechanism(user, accessToken),
            "oauthbearer" => new OAuthBearerSaslMechanism(user, accessToken, endpoint.Host, endpoint.Port),
            _ => throw Unsupported(name),
        };

    private static ArgumentException Unsupported(string name) =>
        new($"'{name}' is not a supported mechanism: use xoauth2 (Exchange Online, Gmail) or oauthbearer (RFC 7628).", nameof(name));
}
