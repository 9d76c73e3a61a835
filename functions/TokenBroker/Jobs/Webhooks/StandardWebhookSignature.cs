using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Jobs.Webhooks;

/// <summary>
/// Signs webhook deliveries the Standard Webhooks way (standardwebhooks.com): headers webhook-id, webhook-timestamp
/// (Unix seconds) and webhook-signature = "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
/// Covering the id and the time lets a receiver refuse a replayed or re-addressed delivery; docs/webhooks.md has a
/// verification recipe.
/// </summary>
public static class StandardWebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>The HMAC key a configured secret stands for: the decoded bytes of a "whsec_&lt;base64&gt;" secret (the
    /// form Standard Webhooks libraries generate and expect), otherwise the secret's UTF-8 bytes.</summary>
    /// <exception cref="FormatException">"whsec_" is followed by something that is not base64.</exception>
    public static byte[] KeyFromSecret(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : Encoding.UTF8.GetBytes(secret);

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string Sign(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = Start(key, id, timestamp);
        hmac.AppendData(body);
        return Finish(hmac);
    }

    /// <summary>Signs a body read from <paramref name="body"/>'s position to its end, without buffering it.</summary>
    public static async Task<string> SignAsync(byte[] key, string id, string timestamp, Stream body, CancellationToken cancellationToken)
    {
        using var hmac = Start(key, id, timestamp);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            hmac.AppendData(buffer, 0, read);
        return Finish(hmac);
    }

    private static IncrementalHash Start(byte[] key, string id, string timestamp)
    {
        var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{id}.{timestamp}."));
        return hmac;
    }

    private static string Finish(IncrementalHash hmac) => "v1," + Convert.ToBase64String(hmac.GetHashAndReset());
}
