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
    /// <summary>When the invitation this consent came from was issued; redeeming it retires every invitation issued up to then.</summary>
    [JsonPropertyName("i")]
    public long InvitationIssuedAtUnixMilliseconds { get; init; }

    /// <summary>The admin allowed a different account than the one connected so far (e.g. a re-created user).</summary>
    [JsonPropertyName("r")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ReplaceAccount { get; init; }

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
        return SignedEnvelope.Seal(state, key);
    }

    /// <summary>The state when it is authentic and unexpired; otherwise null and which check failed.</summary>
    public async Task<(ConsentState? State, ConsentStateProblem Problem)> UnprotectAsync(string? text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(text) || text.Length > SignedEnvelope.MaxLength) return (null, ConsentStateProblem.Malformed);
        var key = await secrets.GetOrCreateKeyAsync(SigningKeyName, SigningKeySize, cancellationToken).ConfigureAwait(false);
        var (state, problem) = SignedEnvelope.Open<ConsentState>(text, key);
        if (problem == SignedEnvelopeProblem.BadSignature) return (null, ConsentStateProblem.BadSignature);
        if (state is null || string.IsNullOrEmpty(state.Mailbox) || string.IsNullOrEmpty(state.Nonce))
            return (null, ConsentStateProblem.Malformed);
        if (timeProvider.GetUtcNow() >= state.ExpiresAt) return (state, ConsentStateProblem.Expired);
        return (state, ConsentStateProblem.None);
    }
}
