namespace TokenBroker.Mail.Sasl;

/// <summary>
/// A client-side SASL mechanism in two steps, like go-sasl: <see cref="Start"/> gives the initial
/// response, <see cref="Next"/> answers each further server challenge. Payloads are raw bytes; the
/// protocol code base64-encodes them with <see cref="SaslEncoding"/>.
/// </summary>
public interface ISaslMechanism
{
    /// <summary>The mechanism name as it appears on the wire, e.g. "XOAUTH2".</summary>
    string Name { get; }

    /// <summary>The initial response (sent with the AUTH command or after the first empty challenge).</summary>
    byte[] Start();

    /// <summary>The response to a server challenge. For the OAuth mechanisms a challenge after the
    /// initial response is the server's JSON error: the mechanism records it in
    /// <see cref="ServerError"/> and returns the abort response the mechanism prescribes.</summary>
    byte[] Next(byte[] challenge);

    /// <summary>The error the server described in a challenge during this exchange, if any.</summary>
    SaslServerError? ServerError { get; }
}
