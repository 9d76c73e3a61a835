using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// What the consent link carries through the identity provider in "state": which mailbox, which consent
/// attempt (the nonce, whose hash the mailbox keeps) and until when. Signed, not encrypted: it holds no secret.
/// </summary>
public sealed record ConsentState(
    [property: JsonPropertyName("m")] string Mailbox,
    [property: JsonPropertyName("n")] string Nonce,
    [property: JsonPropertyName("e")] long ExpiresAtUnixSeconds,
    [property: JsonPropertyName("t")] string TenantId,
    [property: JsonPropertyName("p")] MailProtocols Protocols,
    [property: JsonPropertyName("d")] string? DelegateAddress)
{
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(ExpiresAtUnixSeconds);

    /// <summary>What the mailbox stores instead of the nonce, so a registry reader cannot forge a callback.</summary>
    public static string HashNonce(string nonce) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(nonce)));

    public static string NewNonce() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

public enum ConsentStateProblem
{
    None,
    Malformed,
    BadSignature,
    Expired,
}

/// <summary>Signs and checks <see cref="ConsentState"/> with HMAC-SHA256 under a key every broker instance shares.</summary>
public sealed class ConsentStateProtector(IBrokerSecrets secrets, TimeProvider timeProvider)
{
    public const string SigningKeyName = "consent-state-signing-key";
    private const int SigningKeySize = 32;

    public async Task<string> ProtectAsync(ConsentState state, CancellationToken cancellationToken = default)
    {
        var key = await secrets.GetOrCreateKeyAsync(SigningKeyName, SigningKeySize, cancellationToken).ConfigureAwait(false);
        var payload = JsonSerializer.SerializeToUtf8Bytes(state);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, payload));
    }

    /// <summary>The state when it is authentic and unexpired; otherwise null and which check failed.</summary>
    public async Task<(ConsentState? State, ConsentStateProblem Problem)> UnprotectAsync(string? text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 4096) return (null, ConsentStateProblem.Malformed);
        var dot = text.IndexOf('.');
        if (dot <= 0 || dot != text.LastIndexOf('.')) return (null, ConsentStateProblem.Malformed);

        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(text.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(text.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return (null, ConsentStateProblem.Malformed);
        }

        var key = await secrets.GetOrCreateKeyAsync(SigningKeyName, SigningKeySize, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature))
            return (null, ConsentStateProblem.BadSignature);

        ConsentState? state;
        try
        {
            state = JsonSerializer.Deserialize<ConsentState>(payload);
        }
        catch (JsonException)
        {
            return (null, ConsentStateProblem.Malformed);
        }
        if (state is null || string.IsNullOrEmpty(state.Mailbox) || string.IsNullOrEmpty(state.Nonce))
            return (null, ConsentStateProblem.Malformed);
        if (timeProvider.GetUtcNow() >= state.ExpiresAt) return (state, ConsentStateProblem.Expired);
        return (state, ConsentStateProblem.None);
    }
}
