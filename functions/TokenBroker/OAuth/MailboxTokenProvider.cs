using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// Delegated mailboxes: AcquireTokenSilent with the account the consent stored (MSAL refreshes near expiry and
/// the bound cache persists a rotated refresh token). App-only mailboxes: AcquireTokenForClient. A failure
/// is classified once and recorded on the mailbox; the registry is written only when something changed. A transient
/// failure of a forced refresh (the refresh timer's) also backs the mailbox off (<see cref="Mailbox.Backoff"/>,
/// honouring the provider's Retry-After) in that same write, and the next success clears it, so the timer needs no
/// write of its own. Other callers' transient failures leave the back-off alone: a burst of sends during an outage
/// must not add a Key Vault version per attempt.
/// </summary>
public sealed class MailboxTokenProvider(
    IMailboxRegistry registry,
    ConfidentialClientFactory clients,
    TimeProvider timeProvider,
    ILogger<MailboxTokenProvider> logger,
    MailboxBackoffPolicy? backoffPolicy = null) : IMailboxTokenProvider
{
    private readonly MailboxBackoffPolicy _backoffPolicy = backoffPolicy ?? MailboxBackoffPolicy.Default;

    public Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default) =>
        RefreshAsync(mailboxAddress, force: false, cancellationToken);

    public async Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default)
    {
        var current = await registry.GetAsync(mailboxAddress, cancellationToken).ConfigureAwait(false)
            ?? throw new MailboxTokenUnavailableException(mailboxAddress, null,
                new TokenFailure(TokenFailureKind.Failed, $"The mailbox {mailboxAddress} is not registered with the broker."));
        var mailbox = current.Value;
        if (RefusalFor(mailbox) is { } refusal)
            throw new MailboxTokenUnavailableException(mailbox.Address, mailbox.State, refusal);

        AuthenticationResult result;
        try
        {
            var client = await clients.GetAsync(mailbox.TenantId, cancellationToken).ConfigureAwait(false);
            try
            {
                result = await AcquireAsync(client, mailbox, force, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreConcurrencyException)
            {
                // Another instance refreshed the same account and stored its cache first; its tokens are as good
                // as ours, and this second attempt reads them instead of refreshing again.
                result = await AcquireAsync(client, mailbox, force: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is MsalException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = TokenFailureClassifier.Classify(exception);
            var state = await RecordFailureAsync(mailbox.Address, failure, extendBackoff: force, RetryAfterOf(exception), cancellationToken).ConfigureAwait(false);
            logger.LogWarning("No token for {Mailbox}: {Kind} (AADSTS{Code}, {Error}); state now {State}.",
                mailbox.Address, failure.Kind, failure.AadstsCode, failure.Error, state);
            throw new MailboxTokenUnavailableException(mailbox.Address, state, failure, exception);
        }

        var refreshed = result.AuthenticationResultMetadata?.TokenSource == TokenSource.IdentityProvider;
        var expiresOn = TokenExpiry.Of(result);
        if (refreshed || mailbox.State != MailboxState.Connected || mailbox.AccessTokenExpiresAt != expiresOn)
            await RecordSuccessAsync(mailbox.Address, expiresOn, refreshed, cancellationToken).ConfigureAwait(false);
        if (refreshed)
            logger.LogInformation("Access token for {Mailbox} obtained from the identity provider; valid until {ExpiresOn:O}.", mailbox.Address, result.ExpiresOn);
        return new MailboxAccessToken(result.AccessToken, result.ExpiresOn, mailbox.Address);
    }

    private static Task<AuthenticationResult> AcquireAsync(IConfidentialClientApplication client, Mailbox mailbox, bool force, CancellationToken cancellationToken) =>
        mailbox.Mode == MailboxMode.AppOnly
            ? client.AcquireTokenForClient([MailScopes.AppOnlyScope]).WithForceRefresh(force).ExecuteAsync(cancellationToken)
            : AcquireDelegatedAsync(client, mailbox, force, cancellationToken);

    private static async Task<AuthenticationResult> AcquireDelegatedAsync(IConfidentialClientApplication client, Mailbox mailbox, bool force, CancellationToken cancellationToken)
    {
        var account = mailbox.HomeAccountId is null ? null : await client.GetAccountAsync(mailbox.HomeAccountId).ConfigureAwait(false);
        if (account is null)
            throw new MsalUiRequiredException(MsalError.NoTokensFoundError,
                "The broker's token cache holds no account for this mailbox; sign in again through a new consent link.");
        return await client.AcquireTokenSilent(MailScopes.DelegatedScopes(mailbox.Protocols), account)
            .WithForceRefresh(force)
            .ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why no token is attempted at all; a BrokenCredential mailbox is retried so that a fixed credential heals it.</summary>
    private static TokenFailure? RefusalFor(Mailbox mailbox) => mailbox.State switch
    {
        MailboxState.Connected or MailboxState.BrokenCredential => null,
        MailboxState.PendingConsent => new TokenFailure(TokenFailureKind.NeedsConsent, $"The consent for {mailbox.Address} has not been completed yet."),
        MailboxState.NeedsConsent => new TokenFailure(TokenFailureKind.NeedsConsent, mailbox.StateReason ?? "A person must sign in again through a new consent link."),
        MailboxState.Disabled => new TokenFailure(TokenFailureKind.Failed, $"The mailbox {mailbox.Address} is disabled by an operator."),
        _ => new TokenFailure(TokenFailureKind.Failed, $"The mailbox {mailbox.Address} is in state {mailbox.State}."),
    };

    /// <param name="extendBackoff">After a transient or unknown failure, back the mailbox off further (the timer's refresh) rather than keep its back-off as is.</param>
    private async Task<MailboxState?> RecordFailureAsync(string address, TokenFailure failure, bool extendBackoff, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        await UpdateAsync(address, mailbox => failure.Kind switch
        {
            TokenFailureKind.NeedsConsent => mailbox with { State = MailboxState.NeedsConsent, StateReason = failure.Reason, LastError = failure.Reason, Backoff = null },
            TokenFailureKind.BrokenCredential => mailbox with { State = MailboxState.BrokenCredential, StateReason = failure.Reason, LastError = failure.Reason, Backoff = null },
            // Transient or unknown: keep the state, the grant may be fine.
            _ => mailbox with
            {
                LastError = failure.Reason,
                Backoff = extendBackoff ? _backoffPolicy.Next(mailbox.Backoff, timeProvider.GetUtcNow(), retryAfter) : mailbox.Backoff,
            },
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>The identity provider's Retry-After (a 429 or 503), wherever MSAL wrapped it. A date is wall-clock time.</summary>
    private static TimeSpan? RetryAfterOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MsalServiceException { Headers.RetryAfter: { } retryAfter })
                return retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        }
        return null;
    }

    private Task<MailboxState?> RecordSuccessAsync(string address, DateTimeOffset expiresOn, bool refreshed, CancellationToken cancellationToken) =>
        UpdateAsync(address, mailbox => mailbox with
        {
            State = MailboxState.Connected,
            StateReason = null,
            LastError = null,
            Backoff = null,
            AccessTokenExpiresAt = expiresOn,
            LastRefreshAt = refreshed ? timeProvider.GetUtcNow() : mailbox.LastRefreshAt,
        }, cancellationToken);

    /// <summary>Re-reads and re-applies on a concurrent change (the refresh job and the token API may race).</summary>
    private async Task<MailboxState?> UpdateAsync(string address, Func<Mailbox, Mailbox> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await registry.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (current is null) return null; // deleted meanwhile: nothing to record
            var changed = change(current.Value);
            if (changed == current.Value) return changed.State;
            try
            {
                await registry.SaveAsync(changed with { UpdatedAt = timeProvider.GetUtcNow() }, current.Version, cancellationToken).ConfigureAwait(false);
                return changed.State;
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
            }
        }
    }
}
