using System.Text;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// Google/Microsoft XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A. A challenge after the initial
/// response is the server's JSON error; the client must answer it with an empty response and then
/// receives the failure reply.
/// </summary>
public sealed class XOAuth2Mechanism : ISaslMechanism
{
    private readonly string _user;
    private readonly string _accessToken;

    public XOAuth2Mechanism(string user, string accessToken)
    {
        SaslArguments.RequireNoControlCharacters(user, nameof(user));
        SaslArguments.RequireToken(accessToken, nameof(accessToken));
        _user = user;
        _accessToken = accessToken;
    }

    public string Name => "XOAUTH2";

    public SaslServerError? ServerError { get; private set; }

    public byte[] Start() =>
        Encoding.UTF8.GetBytes("user=" + _user + "\u0001auth=Bearer " + _accessToken + "\u0001\u0001");

    public byte[] Next(byte[] challenge)
    {
        // An empty challenge carries no error description; anything else is the server's JSON error.
        if (challenge.Length > 0)
            ServerError = SaslServerError.Parse(challenge);
        return [];
    }
}
