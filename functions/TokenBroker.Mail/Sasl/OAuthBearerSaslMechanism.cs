using System.Globalization;
using System.Text;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// OAUTHBEARER (RFC 7628) on MailKit: a GS2 header "n,a=user," then ^A-separated host, port and
/// "auth=Bearer token", ending in ^A ^A. Host and port are the endpoint the client connected to (MailKit's
/// own mechanism sends port=-1). A server error challenge is answered with a single ^A (§3.2.3).
/// </summary>
public sealed class OAuthBearerSaslMechanism : OAuthSaslMechanism
{
    private readonly string _host;
    private readonly int _port;

    public OAuthBearerSaslMechanism(string user, string accessToken, string host, int port)
        : base(user, accessToken)
    {
        SaslArguments.RequireNoControlCharacters(host, nameof(host));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _host = host;
        _port = port;
    }

    public override string MechanismName => "OAUTHBEARER";

    public override byte[] InitialResponse() => Encoding.UTF8.GetBytes(
        "n,a=" + EscapeSaslName(User) + "," +
        "\u0001host=" + _host +
        "\u0001port=" + _port.ToString(CultureInfo.InvariantCulture) +
        "\u0001auth=Bearer " + AccessToken +
        "\u0001\u0001");

    protected override byte[] AbortResponse => [0x01];

    // RFC 5801 saslname: ',' and '=' in the authorization identity become =2C and =3D.
    private static string EscapeSaslName(string name) => name.Replace("=", "=3D").Replace(",", "=2C");
}
