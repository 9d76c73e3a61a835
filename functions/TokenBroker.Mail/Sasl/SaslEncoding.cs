namespace TokenBroker.Mail.Sasl;

/// <summary>
/// The base64 rules SMTP (RFC 4954), IMAP (RFC 3501/4959) and POP3 (RFC 5034) share, in one place.
/// An empty initial response on the command line is "=" (an absent one is nothing at all); an empty
/// response to a challenge is an empty line; a challenge of "=" or nothing is empty.
/// </summary>
public static class SaslEncoding
{
    /// <summary>The initial response as it goes on the AUTH/AUTHENTICATE line.</summary>
    public static string EncodeInitialResponse(byte[] response) =>
        response.Length == 0 ? "=" : Convert.ToBase64String(response);

    /// <summary>A response as the whole line after a server challenge.</summary>
    public static string EncodeResponse(byte[] response) => Convert.ToBase64String(response);

    /// <summary>Decodes a server challenge; returns false when it is not base64.</summary>
    public static bool TryDecodeChallenge(string text, out byte[] challenge)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed == "=")
        {
            challenge = [];
            return true;
        }
        var buffer = new byte[trimmed.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64String(trimmed, buffer, out var written))
        {
            challenge = buffer[..written];
            return true;
        }
        challenge = [];
        return false;
    }
}
