using System.Text;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// Google/Microsoft XOAUTH2 on MailKit: "user=" user ^A "auth=Bearer " token ^A ^A. A server error
/// challenge is answered with an empty response, after which the server sends its failure reply.
/// </summary>
public sealed class XOAuth2SaslMechanism(string user, string accessToken) : OAuthSaslMechanism(user, accessToken)
{
    public override string MechanismName => "XOAUTH2";

    public override byte[] InitialResponse() =>
        Encoding.UTF8.GetBytes("user=" + User + "\u0001auth=Bearer " + AccessToken + "\u0001\u0001");

    protected override byte[] AbortResponse => [];
}
