using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// Two jobs over one MSAL silent call. On demand (<see cref="GetAccessTokenAsync"/>: sends, fetches, the token API):
/// a token this instance holds in memory (<see cref="AccessTokenMemoryCache"/>) until shortly before its expiry;
/// otherwise one record read, MSAL's silent call on the tokens kept with it (forced, one token request, when the
/// stored access token is too old), and no store write, because a renewed
/// access token or a rotated refresh token need not be stored (Entra keeps the old refresh token valid). Concurrent
/// callers for one mailbox share one acquisition. Keep-alive (<see cref="KeepAliveAsync"/>, the refresh timer's, at
/// least daily): the refresh token is redeemed and the record is written once with the new tokens inside it
/// (<see cref="Mailbox.Tokens"/>), against the version read. A failure is classified once and written only when
/// it changes the mailbox (state, reason, or the back-off a keep-alive extends, honouring the provider's Retry-After);
/// an on-demand success writes only to clear a recorded failure.
/// </summary>
public sealed class MailboxTokenProvider(
    IMailboxRegistry registry,
    ConfidentialClientFactory clients,
    TimeProvider timeProvider,
    ILogger<MailboxTokenProvider> logger,
    MailboxBackoffPolicy? backoffPolicy = null,
    AccessTokenMemoryCache? accessTokens = null,
    TokenBroker.Jobs.Events.IBrokerEventSink? events = null) : IMailboxTokenProvider
{
    /// <summary>One on-demand acquisition is abandoned after this (MSAL's own HTTP timeouts are longer).</summary>
    private static readonly TimeSpan AcquisitionTimeout = TimeSpan.FromSeconds(60);

    private readonly MailboxBackoffPolicy _backoffPolicy = backoffPolicy ?? MailboxBackoffPolicy.Default;
    private readonly AccessTokenMemoryCache _accessTokens = accessTokens ?? new AccessTokenMemoryCache();
    private readonly ConcurrentDictionary<string, Lazy<Task<MailboxAccessToken>>> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    public async Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mailboxAddress);
        if (_accessTokens.Get(mailboxAddress, timeProvider.GetUtcNow()) is { } cached) return cached;
        var key = mailboxAddress.Trim();
        var flight = _inFlight.GetOrAdd(key, k => new Lazy<Task<MailboxAccessToken>>(() => AcquireSharedAsync(k)));
        return await flight.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default)
    {
        if (!force) return await GetAccessTokenAsync(mailboxAddress, cancellationToken).ConfigureAwait(false);
        var current = await ReadAsync(mailboxAddress, cancellationToken).ConfigureAwait(false);
        return await KeepAliveAsync(current, cancellationToken).ConfigureAwait(false);
    }

    public Task<MailboxAccessToken> KeepAliveAsync(Versioned<Mailbox> current, CancellationToken cancellationToken = default) =>
        KeepAliveAsync(current, gate: null, cancellationToken);

    public async Task<MailboxAccessToken> KeepAliveAsync(Versioned<Mailbox> current, ITokenRequestGate? gate, CancellationToken cancellationToken = default)
    {
        // Only the identity provider's HTTP exchanges take the gate's slots (GatedIdentityProviderHandler).
        using var gated = TokenRequestGateScope.Enter(gate);
        var mailbox = current.Value;
        if (RefusalFor(mailbox) is { } refusal)
            throw new MailboxTokenUnavailableException(mailbox.Address, mailbox.State, refusal);
        var cache = new InMemoryTokenCache(await StoredCacheAsync(mailbox, cancellationToken).ConfigureAwait(false));
        var result = await AcquireOrRecordAsync(current, cache, force: true, keepAlive: true, cancellationToken).ConfigureAwait(false);

        var now = timeProvider.GetUtcNow();
        var token = TokenOf(result, mailbox.Address);
        var refreshed = mailbox with
        {
            State = MailboxState.Connected,
            StateReason = null,
            LastError = null,
            Backoff = null,
            AccessTokenExpiresAt = TokenExpiry.Of(token.ExpiresOn),
            LastRefreshAt = now,
            UpdatedAt = now,
            Tokens = mailbox.Mode == MailboxMode.Delegated && cache.Data is { } data ? MailboxTokens.Of(data, now) : null,
        };
        await SaveRefreshedAsync(current, refreshed, cancellationToken).ConfigureAwait(false);
        await MailboxRecovery.PublishIfRecoveredAsync(events, mailbox, "The refresh token was redeemed again", now, cancellationToken).ConfigureAwait(false);
        _accessTokens.Replace(token);
        logger.LogInformation("Refresh token of {Mailbox} redeemed and stored; access token valid until {ExpiresOn:O}.", mailbox.Address, token.ExpiresOn);
        return token;
    }

    /// <summary>Shared by every caller waiting for this mailbox; bounded by its own timeout, not by the first caller's token.</summary>
    private async Task<MailboxAccessToken> AcquireSharedAsync(string address)
    {
        try
        {
            using var timeout = new CancellationTokenSource(AcquisitionTimeout, timeProvider);
            return await AcquireOnDemandAsync(address, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(address, out _);
        }
    }

    private async Task<MailboxAccessToken> AcquireOnDemandAsync(string address, CancellationToken cancellationToken)
    {
        var current = await ReadAsync(address, cancellationToken).ConfigureAwait(false);
        var mailbox = current.Value;
        if (RefusalFor(mailbox) is { } refusal)
        {
            _accessTokens.Forget(address);
            throw new MailboxTokenUnavailableException(mailbox.Address, mailbox.State, refusal);
        }
        var cache = new InMemoryTokenCache(await StoredCacheAsync(mailbox, cancellationToken).ConfigureAwait(false));
        var result = await AcquireOrRecordAsync(current, cache, force: false, keepAlive: false, cancellationToken).ConfigureAwait(false);
        var token = TokenOf(result, mailbox.Address);
        if (!_accessTokens.IsFresh(token, timeProvider.GetUtcNow()))
        {
            // The stored access token is too close to its expiry on this broker's clock: one token request for a new one.
            result = await AcquireOrRecordAsync(current, cache, force: true, keepAlive: false, cancellationToken).ConfigureAwait(false);
            token = TokenOf(result, mailbox.Address);
        }
        if (mailbox.State != MailboxState.Connected || mailbox.LastError is not null || mailbox.Backoff is not null)
        {
            await UpdateAsync(current, m => m with { State = MailboxState.Connected, StateReason = null, LastError = null, Backoff = null }, cancellationToken).ConfigureAwait(false);
            await MailboxRecovery.PublishIfRecoveredAsync(events, mailbox, "An access token was issued again", timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        _accessTokens.Set(token);
        return token;
    }

    private async Task<Versioned<Mailbox>> ReadAsync(string address, CancellationToken cancellationToken) =>
        await registry.GetAsync(address, cancellationToken).ConfigureAwait(false)
        ?? throw new MailboxTokenUnavailableException(address, null,
            new TokenFailure(TokenFailureKind.Failed, $"The mailbox {address} is not registered with the broker."));

    /// <summary>The tokens kept with the record when they are current, else the ones the consent stored (one more read, once per consent).</summary>
    private async Task<byte[]?> StoredCacheAsync(Mailbox mailbox, CancellationToken cancellationToken)
    {
        if (mailbox.Mode == MailboxMode.AppOnly) return null;
        if (mailbox.Tokens is { } tokens && tokens.IsCurrentFor(mailbox)) return tokens.MsalCache();
        return mailbox.HomeAccountId is null ? null : await clients.ReadStoredUserCacheAsync(mailbox.HomeAccountId, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="force">From the identity provider even if the cache holds a valid access token.</param>
    /// <param name="keepAlive">The timer's call: its transient failures extend the back-off.</param>
    private async Task<AuthenticationResult> AcquireOrRecordAsync(Versioned<Mailbox> current, InMemoryTokenCache cache, bool force, bool keepAlive, CancellationToken cancellationToken)
    {
        var mailbox = current.Value;
        try
        {
            if (mailbox.Mode == MailboxMode.Delegated && mailbox.ClientKind == MailboxClientKind.Public)
                return await AcquireDelegatedAsync(clients.CreateInMemoryPublic(mailbox.TenantId, cache), mailbox, force, cancellationToken).ConfigureAwait(false);
            var client = await clients.CreateInMemoryAsync(mailbox.TenantId, cache, cancellationToken).ConfigureAwait(false);
            return await AcquireAsync(client, mailbox, force, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (ExceptionChain.Of(exception).OfType<TokenRequestGateClosedException>().FirstOrDefault() is { } closed)
        {
            throw closed; // never reached the identity provider, whatever MSAL wrapped it in: nothing to record
        }
        catch (Exception exception) when (exception is MsalException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _accessTokens.Forget(mailbox.Address);
            var failure = TokenFailureClassifier.Classify(exception);
            var retryAfter = IdentityProviderRetryAfter.Of(exception);
            // Only the keep-alive extends the back-off: a burst of sends during an outage must not add a version per attempt.
            var state = await RecordFailureAsync(current, failure, extendBackoff: keepAlive, retryAfter, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("No token for {Mailbox}: {Kind} (AADSTS{Code}, {Error}); state now {State}.",
                mailbox.Address, failure.Kind, failure.AadstsCode, failure.Error, state);
            throw new MailboxTokenUnavailableException(mailbox.Address, state, failure, exception) { RetryAfter = retryAfter };
        }
    }

    private static Task<AuthenticationResult> AcquireAsync(IConfidentialClientApplication client, Mailbox mailbox, bool force, CancellationToken cancellationToken) =>
        mailbox.Mode == MailboxMode.AppOnly
            ? client.AcquireTokenForClient([MailScopes.AppOnlyScope]).WithForceRefresh(force).ExecuteAsync(cancellationToken)
            : AcquireDelegatedAsync(client, mailbox, force, cancellationToken);

    /// <param name="client">Of the kind the refresh token was issued to (<see cref="Mailbox.ClientKind"/>): Entra refuses a public client's refresh token presented with the broker's credential (AADSTS700025).</param>
    private static async Task<AuthenticationResult> AcquireDelegatedAsync(IClientApplicationBase client, Mailbox mailbox, bool force, CancellationToken cancellationToken)
    {
        var account = mailbox.HomeAccountId is null ? null : await client.GetAccountAsync(mailbox.HomeAccountId).ConfigureAwait(false);
        if (account is null)
            throw new MsalUiRequiredException(MsalError.NoTokensFoundError,
                "The broker's token cache holds no account for this mailbox; sign in again through a new consent link.");
        return await client.AcquireTokenSilent(MailScopes.DelegatedScopes(mailbox.Protocols), account)
            .WithForceRefresh(force)
            .ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The token with its expiry on this broker's clock. MSAL counts on the machine's clock: a token just issued gets
    /// the lifetime it had left when MSAL handed it over; one served from the stored cache keeps its recorded expiry.
    /// The same on the system clock; with an injected clock, a token stored before the clock moved is seen as old.
    /// </summary>
    private MailboxAccessToken TokenOf(AuthenticationResult result, string address) =>
        new(result.AccessToken,
            result.AuthenticationResultMetadata?.TokenSource == TokenSource.IdentityProvider
                ? timeProvider.GetUtcNow() + (result.ExpiresOn - DateTimeOffset.UtcNow)
                : result.ExpiresOn,
            address);

    /// <summary>Why no token is attempted at all; a BrokenCredential mailbox is retried so that a fixed credential heals it.</summary>
    private static TokenFailure? RefusalFor(Mailbox mailbox) => mailbox.State switch
    {
        MailboxState.Connected or MailboxState.BrokenCredential => null,
        MailboxState.PendingConsent => new TokenFailure(TokenFailureKind.NeedsConsent, $"The consent for {mailbox.Address} has not been completed yet."),
        MailboxState.NeedsConsent => new TokenFailure(TokenFailureKind.NeedsConsent, mailbox.StateReason ?? "A person must sign in again through a new consent link."),
        MailboxState.Disabled => new TokenFailure(TokenFailureKind.Failed, $"The mailbox {mailbox.Address} is disabled by an operator."),
        _ => new TokenFailure(TokenFailureKind.Failed, $"The mailbox {mailbox.Address} is in state {mailbox.State}."),
    };

    /// <param name="extendBackoff">After a transient or unknown failure, back the mailbox off further (the keep-alive) rather than keep its back-off as is.</param>
    private Task<MailboxState?> RecordFailureAsync(Versioned<Mailbox> current, TokenFailure failure, bool extendBackoff, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        UpdateAsync(current, mailbox => failure.Kind switch
        {
            TokenFailureKind.NeedsConsent => mailbox with { State = MailboxState.NeedsConsent, StateReason = failure.Reason, LastError = failure.Reason, Backoff = null },
            TokenFailureKind.BrokenCredential => mailbox with { State = MailboxState.BrokenCredential, StateReason = failure.Reason, LastError = failure.Reason, Backoff = null },
            // Transient or unknown: keep the state, the grant may be fine.
            _ => mailbox with
            {
                LastError = failure.Reason,
                Backoff = extendBackoff ? _backoffPolicy.Next(mailbox.Backoff, timeProvider.GetUtcNow(), retryAfter) : mailbox.Backoff,
            },
        }, cancellationToken);

    /// <summary>
    /// The keep-alive's one write, against the version it read. When another writer got there first: a consent or
    /// another instance's keep-alive (LastRefreshAt moved) or an operator's state change stands; any other change
    /// (a recorded error) gets the new tokens applied on top.
    /// </summary>
    private async Task SaveRefreshedAsync(Versioned<Mailbox> current, Mailbox refreshed, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                await registry.SaveRefreshedAsync(refreshed, current.Version, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreConcurrencyException)
            {
                var latest = await registry.GetAsync(refreshed.Address, cancellationToken).ConfigureAwait(false);
                if (latest is null || TokensChanged(current.Value, latest.Value)
                    || latest.Value.State is not (MailboxState.Connected or MailboxState.BrokenCredential))
                    return;
                refreshed = latest.Value with
                {
                    State = refreshed.State, StateReason = null, LastError = null, Backoff = null,
                    AccessTokenExpiresAt = refreshed.AccessTokenExpiresAt, LastRefreshAt = refreshed.LastRefreshAt,
                    UpdatedAt = refreshed.UpdatedAt, Tokens = refreshed.Tokens,
                };
                current = latest;
            }
        }
    }

    /// <summary>A consent or another keep-alive wrote between the two reads: new grant, new refresh time or new tokens.</summary>
    private static bool TokensChanged(Mailbox before, Mailbox after) =>
        before.LastRefreshAt != after.LastRefreshAt
        || before.HomeAccountId != after.HomeAccountId
        || !(before.Tokens?.Cache ?? []).AsSpan().SequenceEqual(after.Tokens?.Cache ?? []);

    /// <summary>Applies <paramref name="change"/> to the version read; re-reads and re-applies on a concurrent change. Writes nothing when nothing changes.</summary>
    private async Task<MailboxState?> UpdateAsync(Versioned<Mailbox> current, Func<Mailbox, Mailbox> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var changed = change(current.Value);
            if (changed == current.Value) return changed.State;
            try
            {
                await registry.SaveAsync(changed with { UpdatedAt = timeProvider.GetUtcNow() }, current.Version, cancellationToken).ConfigureAwait(false);
                return changed.State;
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
                var latest = await registry.GetAsync(current.Value.Address, cancellationToken).ConfigureAwait(false);
                if (latest is null) return null; // deleted meanwhile: nothing to record
                current = latest;
            }
        }
    }
}
