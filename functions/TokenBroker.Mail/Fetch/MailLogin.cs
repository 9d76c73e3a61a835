using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Fetch;

public enum MailSaslMechanism { XOAuth2, OAuthBearer }

/// <summary>
/// Who logs in and with which access token. <see cref="ToString"/> never shows the token, so a login
/// can be logged or put in an exception message safely.
/// </summary>
public sealed class MailLogin(string user, string accessToken, MailSaslMechanism mechanism = MailSaslMechanism.XOAuth2)
{
    public string User { get; } = user;

    public MailSaslMechanism Mechanism { get; } = mechanism;

    internal string AccessToken { get; } = accessToken;

    /// <summary>A fresh MailKit mechanism for one authentication exchange with <paramref name="endpoint"/>.</summary>
    public OAuthSaslMechanism CreateSaslMechanism(MailEndpoint endpoint) =>
        OAuthMechanisms.CreateSasl(Mechanism == MailSaslMechanism.OAuthBearer ? "oauthbearer" : "xoauth2", User, AccessToken, endpoint);

    public override string ToString() => $"{User} ({Mechanism}, token not shown)";
}
