using Microsoft.Identity.Client;
using TokenBroker.Mail.Tokens;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>What a mailbox record looks like once a sign-in passed <see cref="ConsentTokenCheck"/>, however it arrived.</summary>
internal static class MailboxConnection
{
    /// <summary>A mailbox seen for the first time by a sign-in that did not go through consent start (device code, import).</summary>
    public static Mailbox New(ConsentTarget target, string tenantId, DateTimeOffset now) =>
        new(target.Mailbox, tenantId, MailboxMode.Delegated, target.Protocols, target.DelegateAddress, MailboxState.PendingConsent,
            $"Waiting for {target.DelegateAddress ?? target.Mailbox} to sign in and consent.", now, now, LastRefreshAt: null,
            AccessTokenExpiresAt: null, LastError: null, HomeAccountId: null, GrantedScopes: [], PendingConsent: null);

    /// <param name="clientKind">The kind of client the refresh token was issued to; every later redemption uses the same.</param>
    public static Mailbox Connected(Mailbox current, ConsentTarget target, string tenantId, AuthenticationResult result, DateTimeOffset now, MailboxClientKind clientKind)
    {
        var claims = AccessTokenClaims.Parse(result.AccessToken);
        return current with
        {
            TenantId = claims.TenantId ?? tenantId,
            Mode = MailboxMode.Delegated,
            Protocols = target.Protocols,
            DelegateAddress = target.DelegateAddress,
            State = MailboxState.Connected,
            StateReason = null,
            LastError = null,
            UpdatedAt = now,
            LastRefreshAt = now,
            AccessTokenExpiresAt = TokenExpiry.Of(result),
            HomeAccountId = result.Account.HomeAccountId.Identifier,
            GrantedScopes = claims.Scopes,
            PendingConsent = null,
            ClientKind = clientKind,
        };
    }

    /// <summary>The page's first sentence after a successful connection.</summary>
    public static string ConnectedSentence(ConsentTarget target) =>
        $"The broker can now use {MailScopes.Describe(target.Protocols)} for {target.Mailbox}" +
        (target.DelegateAddress is null ? "." : $" with the rights of {target.DelegateAddress}.");
}
