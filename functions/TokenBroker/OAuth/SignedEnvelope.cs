using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace TokenBroker.OAuth;

public enum SignedEnvelopeProblem
{
    None,
    Malformed,
    BadSignature,
}

/// <summary>
/// "base64url(json).base64url(HMAC-SHA256(key, json))": what the consent state and invitations travel as in URLs.
/// Signed, not encrypted: the payloads hold no secret.
/// </summary>
internal static class SignedEnvelope
{
    public const int MaxLength = 4096;

    public static string Seal<T>(T payload, byte[] key)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(payload);
        return Base64Url.EncodeToString(json) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, json));
    }

    /// <summary>The payload when the text is well-formed and signed with <paramref name="key"/>.</summary>
    public static (T? Payload, SignedEnvelopeProblem Problem) Open<T>(string? text, byte[] key) where T : class
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength) return (null, SignedEnvelopeProblem.Malformed);
        var dot = text.IndexOf('.');
        if (dot <= 0 || dot != text.LastIndexOf('.')) return (null, SignedEnvelopeProblem.Malformed);

        byte[] json, signature;
        try
        {
            json = Base64Url.DecodeFromChars(text.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(text.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return (null, SignedEnvelopeProblem.Malformed);
        }
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, json), signature))
            return (null, SignedEnvelopeProblem.BadSignature);
        try
        {
            return JsonSerializer.Deserialize<T>(json) is { } payload ? (payload, SignedEnvelopeProblem.None) : (null, SignedEnvelopeProblem.Malformed);
        }
        catch (JsonException)
        {
            return (null, SignedEnvelopeProblem.Malformed);
        }
    }
}
