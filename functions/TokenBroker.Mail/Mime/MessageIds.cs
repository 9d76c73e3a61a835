using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>Message-ID values (without the angle brackets, which the writer adds).</summary>
public static class MessageIds
{
    /// <summary>A random id at <paramref name="domain"/>.</summary>
    public static string New(string domain) => $"{Guid.NewGuid():N}@{domain}";

    /// <summary>
    /// The same id for the same key, so a message retried after a crash carries the Message-ID of the
    /// first attempt and the recipient's server and client can recognise the duplicate. The key is
    /// hashed: it never appears in the header.
    /// </summary>
    public static string FromIdempotencyKey(string idempotencyKey, string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return $"{Convert.ToHexStringLower(hash.AsSpan(0, 16))}.tokenbroker@{domain}";
    }

    /// <summary>Accepts "id@domain" or "&lt;id@domain&gt;" and returns it without brackets.</summary>
    public static string Normalize(string messageId)
    {
        HeaderSafety.RejectLineBreaks(messageId, "Message-ID");
        var value = messageId.Trim();
        if (value.StartsWith('<') && value.EndsWith('>')) value = value[1..^1];
        if (value.Length == 0 || !value.Contains('@') || value.Any(c => c is <= ' ' or '<' or '>' or > '~'))
            throw new ArgumentException($"'{messageId}' is not a valid Message-ID (id@domain, printable ASCII, no spaces).", nameof(messageId));
        return value;
    }
}
