using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <param name="Mailbox">The mailbox to connect (the SASL user later).</param>
/// <param name="DelegateAddress">Shared mailbox: the person who signs in; null when the owner signs in.</param>
/// <param name="InvitationIssuedAt">When the invitation this consent comes from was issued (its completion retires it).</param>
/// <param name="ReplaceAccount">The invitation lets another account than the connected one sign in.</param>
public sealed record ConsentRequest(string Mailbox, MailProtocols Protocols, string? DelegateAddress, string TenantId,
    DateTimeOffset InvitationIssuedAt, bool ReplaceAccount = false)
{
    public static ConsentRequest From(ConsentInvitation invitation) => new(invitation.Mailbox, invitation.Protocols,
        invitation.DelegateAddress, invitation.TenantId, invitation.IssuedAt, invitation.ReplaceAccount);
}

/// <summary>Thrown for a consent request the broker cannot start; the message is the sentence to show.</summary>
public sealed class ConsentRequestException(string message) : Exception(message);

/// <summary>
/// Starts a delegated consent: records the attempt on the mailbox (nonce hash and PKCE verifier) and
/// returns the identity provider's sign-in address carrying the signed state.
/// </summary>
public sealed class ConsentStart(
    IMailboxRegistry registry,
    ConfidentialClientFactory clients,
    ConsentStateProtector stateProtector,
    IOptions<OAuthOptions> options,
    TimeProvider timeProvider,
    ILogger<ConsentStart> logger)
{
    public async Task<Uri> StartAsync(ConsentRequest request, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var nonce = ConsentState.NewNonce();
        var state = new ConsentState(request.Mailbox, nonce, (now + options.Value.StateLifetime).ToUnixTimeSeconds(),
            request.TenantId, request.Protocols, request.DelegateAddress)
        {
            InvitationIssuedAtUnixMilliseconds = request.InvitationIssuedAt.ToUnixTimeMilliseconds(),
            ReplaceAccount = request.ReplaceAccount,
        };
        var protectedState = await stateProtector.ProtectAsync(state, cancellationToken).ConfigureAwait(false);

        var client = await clients.GetAsync(request.TenantId, cancellationToken).ConfigureAwait(false);
        var scopes = MailScopes.DelegatedScopes(request.Protocols).Append(MailScopes.OfflineAccess).ToArray();
        var authorizeUrl = await client.GetAuthorizationRequestUrl(scopes)
            .WithPkce(out var codeVerifier)
            .WithLoginHint(request.DelegateAddress ?? request.Mailbox)
            .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["state"] = (protectedState, false) })
            .ExecuteAsync(cancellationToken).ConfigureAwait(false);

        var pending = new PendingConsent(ConsentState.HashNonce(nonce), codeVerifier, state.ExpiresAt);
        await SavePendingAsync(request, pending, now, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Consent started for {Mailbox} ({Protocols}, signing in: {SignIn}); the link is valid until {ExpiresAt:O}.",
            request.Mailbox, MailScopes.Describe(request.Protocols), request.DelegateAddress ?? request.Mailbox, state.ExpiresAt);
        return authorizeUrl;
    }

    private async Task SavePendingAsync(ConsentRequest request, PendingConsent pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await registry.GetAsync(request.Mailbox, cancellationToken).ConfigureAwait(false);
            try
            {
                await registry.SaveAsync(WithPending(current?.Value, request, pending, now), current?.Version, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
            }
        }
    }

    private static Mailbox WithPending(Mailbox? current, ConsentRequest request, PendingConsent pending, DateTimeOffset now)
    {
        var waiting = $"Waiting for {request.DelegateAddress ?? request.Mailbox} to sign in and consent.";
        if (current is null)
        {
            return new Mailbox(request.Mailbox, request.TenantId, MailboxMode.Delegated, request.Protocols, request.DelegateAddress,
                MailboxState.PendingConsent, waiting, now, now, LastRefreshAt: null, AccessTokenExpiresAt: null, LastError: null,
                HomeAccountId: null, GrantedScopes: [], pending);
        }
        if (current.State == MailboxState.Disabled)
            throw new ConsentRequestException($"The mailbox {current.Address} is disabled by an operator; enable it before connecting it again.");

        // A connected mailbox keeps serving its current tokens until the new consent succeeds; what the new
        // consent asks for (protocols, delegate, tenant) travels in the signed state and is applied then.
        return current.State == MailboxState.Connected
            ? current with { PendingConsent = pending, UpdatedAt = now }
            : current with
            {
                TenantId = request.TenantId,
                Mode = MailboxMode.Delegated,
                Protocols = request.Protocols,
                DelegateAddress = request.DelegateAddress,
                State = MailboxState.PendingConsent,
                StateReason = waiting,
                PendingConsent = pending,
                UpdatedAt = now,
            };
    }
}
