using System.Text.Json.Serialization;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// What an admin hands to the person who must sign in: the right to start consent for one mailbox, with the
/// protocols, tenant and delegate the admin chose, until it expires or a consent from it (or a later one) completes.
/// Signed by the broker; it carries no key and grants nothing but the chance to sign in as the right account.
/// </summary>
public sealed record ConsentInvitation(
    [property: JsonPropertyName("m")] string Mailbox,
    [property: JsonPropertyName("p")] MailProtocols Protocols,
    [property: JsonPropertyName("d")] string? DelegateAddress,
    [property: JsonPropertyName("t")] string TenantId,
    [property: JsonPropertyName("i")] long IssuedAtUnixMilliseconds,
    [property: JsonPropertyName("e")] long ExpiresAtUnixSeconds,
    [property: JsonPropertyName("r")] bool ReplaceAccount,
    [property: JsonPropertyName("b")] string IssuedBy)
{
    public DateTimeOffset IssuedAt => DateTimeOffset.FromUnixTimeMilliseconds(IssuedAtUnixMilliseconds);
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(ExpiresAtUnixSeconds);
}

/// <summary>Signs and checks invitations under their own key, so no consent state can pass for an invitation.</summary>
public sealed class ConsentInvitationProtector(IBrokerSecrets secrets)
{
    public const string SigningKeyName = "consent-invitation-signing-key";
    private const int SigningKeySize = 32;

    public async Task<string> ProtectAsync(ConsentInvitation invitation, CancellationToken cancellationToken)
    {
        var key = await secrets.GetOrCreateKeyAsync(SigningKeyName, SigningKeySize, cancellationToken).ConfigureAwait(false);
        return SignedEnvelope.Seal(invitation, key);
    }

    /// <summary>The invitation when it is authentic (expiry is the caller's check); otherwise null and why.</summary>
    public async Task<(ConsentInvitation? Invitation, SignedEnvelopeProblem Problem)> UnprotectAsync(string? text, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(text) || text.Length > SignedEnvelope.MaxLength) return (null, SignedEnvelopeProblem.Malformed);
        var key = await secrets.GetOrCreateKeyAsync(SigningKeyName, SigningKeySize, cancellationToken).ConfigureAwait(false);
        var (invitation, problem) = SignedEnvelope.Open<ConsentInvitation>(text, key);
        if (invitation is not null && string.IsNullOrEmpty(invitation.Mailbox)) return (null, SignedEnvelopeProblem.Malformed);
        return (invitation, problem);
    }
}
