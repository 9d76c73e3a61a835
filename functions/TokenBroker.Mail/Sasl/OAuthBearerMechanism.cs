using System.Globalization;
using System.Text;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// OAUTHBEARER (RFC 7628): a GS2 header "n,a=user," then ^A-separated key=value pairs (host, port,
/// auth=Bearer token) and ^A ^A. On failure the server sends a JSON error challenge; the client answers
/// with a single ^A (RFC 7628 §3.2.3) and then receives the failure reply.
/// </summary>
public sealed class OAuthBearerMechanism : ISaslMechanism
{
    private readonly string _user;
    private readonly string _accessToken;
    private readonly string _host;
    private readonly int _port;

    public OAuthBearerMechanism(string user, string accessToken, string host, int port)
    {
        SaslArguments.RequireNoControlCharacters(user, nameof(user));
        SaslArguments.RequireToken(accessToken, nameof(accessToken));
        SaslArguments.RequireNoControlCharacters(host, nameof(host));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _user = user;
        _accessToken = accessToken;
        _host = host;
        _port = port;
    }

    public string Name => "OAUTHBEARER";

    public SaslServerError? ServerError { get; private set; }

    public byte[] Start() => Encoding.UTF8.GetBytes(
        "n,a=" + EscapeSaslName(_user) + "," +
        "\u0001host=" + _host +
        "\u0001port=" + _port.ToString(CultureInfo.InvariantCulture) +
        "\u0001auth=Bearer " + _accessToken +
        "\u0001\u0001");

    public byte[] Next(byte[] challenge)
    {
        // An empty challenge carries no error description; anything else is the server's JSON error.
        if (challenge.Length > 0)
            ServerError = SaslServerError.Parse(challenge);
        return [0x01];
    }

    // RFC 5801 saslname: ',' and '=' in the authorization identity become =2C and =3D.
    private static string EscapeSaslName(string name) => name.Replace("=", "=3D").Replace(",", "=2C");
}
