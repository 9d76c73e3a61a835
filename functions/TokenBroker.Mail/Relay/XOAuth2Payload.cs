using System.Text;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Relay;

/// <summary>The base64 XOAUTH2 initial response, through the mail layer's mechanism (same bytes as the MailKit clients send).</summary>
internal static class XOAuth2Payload
{
    public static string Base64(string user, string accessToken) =>
        Convert.ToBase64String(new XOAuth2SaslMechanism(user, accessToken).InitialResponse());

    /// <summary>A server challenge after the initial response is its JSON error (RFC 7628 §3.2.2).</summary>
    public static SaslServerError? ParseChallenge(string base64)
    {
        try
        {
            return SaslServerError.Parse(Convert.FromBase64String(base64.Trim()));
        }
        catch (FormatException)
        {
            return new SaslServerError(null, null, null, null, base64);
        }
    }

    public static string Describe(SaslServerError? error) =>
        error is null ? "" : $" (the server's challenge: {Encoding.UTF8.GetByteCount(error.RawJson)} bytes, status {error.Status ?? "none"})";
}
