using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using TokenBroker.Mail.Tokens;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>The query the identity provider sends to the redirect URI.</summary>
public sealed record ConsentCallbackQuery(string? Code, string? State, string? Error, string? ErrorDescription, string? AdminConsent, string? Tenant);

/// <summary>
/// Completes a delegated consent: checks the state (signature, expiry, single use), redeems the code with the
/// PKCE verifier in a staged cache, checks who signed in and what the token allows, and only then marks the
/// mailbox Connected and stores the tokens. Every refusal stores no token.
/// </summary>
public sealed class ConsentCallback(
    IMailboxRegistry registry,
    ConfidentialClientFactory clients,
    ConsentStateProtector stateProtector,
    TimeProvider timeProvider,
    ILogger<ConsentCallback> logger,
    TokenBroker.Jobs.Events.IBrokerEventSink? events = null)
{
    private const string StartAgain = "Ask for a new consent link and sign in again.";

    public async Task<ConsentOutcome> CompleteAsync(ConsentCallbackQuery query, CancellationToken cancellationToken = default)
    {
        if (query.AdminConsent is not null && query.State is null)
            return AdminConsentOutcome(query);

        var (state, problem) = await stateProtector.UnprotectAsync(query.State, cancellationToken).ConfigureAwait(false);
        switch (problem)
        {
            case ConsentStateProblem.Malformed when string.IsNullOrEmpty(query.State):
                return Refuse(400, "The sign-in answer carries no state", "This address must be reached from a consent link the broker issued.", StartAgain);
            case ConsentStateProblem.Malformed or ConsentStateProblem.BadSignature:
                return Refuse(400, "This consent link was not issued by this broker",
                    "Its state parameter is damaged or forged (the signature does not match), so nothing was stored.", StartAgain);
            case ConsentStateProblem.Expired:
                return Refuse(400, "This consent link has expired",
                    $"It was valid until {state!.ExpiresAt:yyyy-MM-dd HH:mm} UTC; nothing was stored.", StartAgain);
        }

        var current = await registry.GetAsync(state!.Mailbox, cancellationToken).ConfigureAwait(false);
        if (current?.Value.PendingConsent is not { } pending)
            return Refuse(400, "This consent link was already used",
                $"The sign-in for {state.Mailbox} has already been completed or abandoned with this link (reloading the page or replaying the address lands here); nothing was stored.", StartAgain);
        if (pending.NonceHash != ConsentState.HashNonce(state.Nonce))
            return Refuse(400, "This consent link was replaced by a newer one",
                $"A newer consent link was issued for {state.Mailbox}; only the newest link works. Nothing was stored.", "Use the newest link, or ask for a new one.");
        if (timeProvider.GetUtcNow() >= pending.ExpiresAt)
            return Refuse(400, "This consent link has expired", $"It was valid until {pending.ExpiresAt:yyyy-MM-dd HH:mm} UTC; nothing was stored.", StartAgain);

        if (query.Error is not null)
        {
            var failure = TokenFailureClassifier.FromError(query.Error, query.ErrorDescription);
            return await RecordFailureAsync(current, 400, "The sign-in did not complete", failure.Reason, cancellationToken).ConfigureAwait(false);
        }
        if (string.IsNullOrEmpty(query.Code))
            return await RecordFailureAsync(current, 400, "The sign-in answer carries no authorization code",
                "The identity provider sent neither a code nor an error.", cancellationToken).ConfigureAwait(false);

        return await RedeemAsync(current, state, pending, query.Code, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ConsentOutcome> RedeemAsync(Versioned<Mailbox> current, ConsentState state, PendingConsent pending, string code, CancellationToken cancellationToken)
    {
        var (client, stagedCache) = await clients.CreateStagedAsync(state.TenantId, cancellationToken).ConfigureAwait(false);
        AuthenticationResult result;
        try
        {
            result = await client.AcquireTokenByAuthorizationCode(MailScopes.DelegatedScopes(state.Protocols), code)
                .WithPkceCodeVerifier(pending.CodeVerifier)
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IdentityProviderUnreachable.Matches(exception, cancellationToken))
        {
            var (title, paragraphs) = IdentityProviderUnreachable.Explain(exception);
            logger.LogWarning("Consent callback for {Mailbox}: the identity provider could not be reached ({Title}).", state.Mailbox, title);
            return await RecordFailureAsync(current, 503, title, string.Join(" ", paragraphs), cancellationToken).ConfigureAwait(false);
        }
        catch (MsalException exception)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            var (status, title) = failure.Kind switch
            {
                TokenFailureKind.CallbackReplay => (400, "This sign-in was already used"),
                TokenFailureKind.Transient => (503, "The identity provider is not answering"),
                TokenFailureKind.BrokenCredential => (500, "The broker's own credential was refused"),
                _ => (400, "The identity provider refused the sign-in"),
            };
            logger.LogWarning("Consent callback for {Mailbox}: code redemption failed ({Kind}, AADSTS{Code}, {Error}).",
                state.Mailbox, failure.Kind, failure.AadstsCode, failure.Error);
            return await RecordFailureAsync(current, status, title, failure.Reason, cancellationToken).ConfigureAwait(false);
        }

        var check = ConsentTokenCheck.Check(result, state, current.Value);
        if (check is not null)
        {
            logger.LogWarning("Consent callback for {Mailbox} refused: {Title}.", state.Mailbox, check.Title);
            return await RecordFailureAsync(current, check.StatusCode, check.Title, string.Join(" ", check.Paragraphs), cancellationToken).ConfigureAwait(false);
        }
        return await ConnectAsync(current, state, result, stagedCache, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ConsentOutcome> ConnectAsync(Versioned<Mailbox> current, ConsentState state, AuthenticationResult result, StagedTokenCache stagedCache, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var target = ConsentTarget.Of(state);
        var connected = MailboxConnection.Connected(current.Value, target, state.TenantId, result, now, MailboxClientKind.Confidential) with
        {
            ConsentInvitationsRetiredUpTo = Later(current.Value.ConsentInvitationsRetiredUpTo,
                DateTimeOffset.FromUnixTimeMilliseconds(state.InvitationIssuedAtUnixMilliseconds)),
        };
        try
        {
            // The versioned save is the single-use gate: of two racing callbacks only one gets past it.
            await registry.SaveAsync(connected, current.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConcurrencyException)
        {
            return Refuse(400, "This consent link was already used", $"Another request completed the sign-in for {state.Mailbox} at the same moment; nothing more was stored.");
        }
        await stagedCache.CommitAsync(cancellationToken).ConfigureAwait(false);
        await MailboxRecovery.PublishIfRecoveredAsync(events, current.Value, "Reconnected through a consent link", now, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Mailbox {Mailbox} connected ({Protocols}) as {SignedIn}; access token valid until {ExpiresOn:O}.",
            state.Mailbox, MailScopes.Describe(state.Protocols), state.DelegateAddress ?? state.Mailbox, result.ExpiresOn);
        return new ConsentOutcome(200, "Mailbox connected",
        [
            MailboxConnection.ConnectedSentence(target),
            "You can close this page.",
        ]);
    }

    /// <summary>Consumes the consent attempt and records why it failed; a connected mailbox keeps its working tokens.</summary>
    private async Task<ConsentOutcome> RecordFailureAsync(Versioned<Mailbox> current, int statusCode, string title, string reason, CancellationToken cancellationToken)
    {
        var mailbox = current.Value;
        var failed = mailbox.State == MailboxState.Connected
            ? mailbox with { PendingConsent = null, LastError = "Re-consent failed: " + reason, UpdatedAt = timeProvider.GetUtcNow() }
            : mailbox with { PendingConsent = null, State = MailboxState.NeedsConsent, StateReason = reason, LastError = reason, UpdatedAt = timeProvider.GetUtcNow() };
        try
        {
            await registry.SaveAsync(failed, current.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreConcurrencyException)
        {
            // Another request consumed the attempt first; its outcome stands.
        }
        return Refuse(statusCode, title, reason, StartAgain);
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } known && known > b ? known : b;

    private static ConsentOutcome AdminConsentOutcome(ConsentCallbackQuery query)
    {
        if (query.Error is not null)
            return ConsentOutcome.Problem(400, "Admin consent was not granted", TokenFailureClassifier.FromError(query.Error, query.ErrorDescription).Reason);
        return string.Equals(query.AdminConsent, "true", StringComparison.OrdinalIgnoreCase)
            ? new ConsentOutcome(200, "Admin consent granted",
                [$"An administrator granted the broker's permissions for tenant {query.Tenant ?? "(not named)"}.", "Mailboxes of this tenant can now be connected."])
            : ConsentOutcome.Problem(400, "Admin consent was not granted", "The identity provider reported that consent was not given.");
    }

    private static ConsentOutcome Refuse(int statusCode, string title, params string[] paragraphs) => ConsentOutcome.Problem(statusCode, title, paragraphs);
}
