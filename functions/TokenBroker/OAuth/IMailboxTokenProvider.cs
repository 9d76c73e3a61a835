using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>An access token ready for SASL XOAUTH2/OAUTHBEARER: <see cref="User"/> is the SASL user (the mailbox address).</summary>
public sealed record MailboxAccessToken(string AccessToken, DateTimeOffset ExpiresOn, string User)
{
    /// <summary>Keeps the token out of anything that prints the record.</summary>
    public override string ToString() => $"MailboxAccessToken {{ User = {User}, ExpiresOn = {ExpiresOn:O}, AccessToken = *** }}";
}

/// <summary>Hands out a valid access token for a mailbox, refreshing it when it nears expiry.</summary>
public interface IMailboxTokenProvider
{
    /// <exception cref="MailboxTokenUnavailableException">No token can be had now; <see cref="MailboxTokenUnavailableException.Failure"/> says why and what next.</exception>
    Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="GetAccessTokenAsync"/>, but with <paramref name="force"/> the token is redeemed from the
    /// identity provider even when the cached one is still valid, so the refresh token rotates too (the refresh job).
    /// </summary>
    /// <exception cref="MailboxTokenUnavailableException">No token can be had now.</exception>
    Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default);

    /// <summary>
    /// The daily keep-alive of a mailbox the caller just read: redeem its refresh token and store the result with
    /// the record in one write. Failures are classified and recorded like <see cref="RefreshAsync"/>'s.
    /// </summary>
    /// <exception cref="MailboxTokenUnavailableException">No token can be had now.</exception>
    Task<MailboxAccessToken> KeepAliveAsync(Versioned<Mailbox> current, CancellationToken cancellationToken = default) =>
        KeepAliveAsync(current, gate: null, cancellationToken);

    /// <summary>The keep-alive with its requests to the identity provider (and only those) inside slots of <paramref name="gate"/>.</summary>
    /// <exception cref="MailboxTokenUnavailableException">No token can be had now.</exception>
    async Task<MailboxAccessToken> KeepAliveAsync(Versioned<Mailbox> current, ITokenRequestGate? gate, CancellationToken cancellationToken = default)
    {
        using var gated = TokenRequestGateScope.Enter(gate);
        return await RefreshAsync(current.Value.Address, force: true, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// No token for this mailbox right now. <see cref="Failure"/>.Kind tells callers what to do: NeedsConsent
/// (a person must use a new consent link), BrokenCredential (an operator must fix the broker's credential),
/// Transient (retry later), Failed (unknown mailbox, disabled, or another refusal).
/// </summary>
public sealed class MailboxTokenUnavailableException(string mailboxAddress, MailboxState? state, TokenFailure failure, Exception? innerException = null)
    : Exception($"No access token for {mailboxAddress}: {failure.Reason}", innerException)
{
    public string MailboxAddress { get; } = mailboxAddress;

    /// <summary>The mailbox's state after the attempt; null when the mailbox is not registered.</summary>
    public MailboxState? State { get; } = state;

    public TokenFailure Failure { get; } = failure;

    public bool IsUnknownMailbox => State is null;

    /// <summary>How long the identity provider asked callers to wait (a 429 or 503 with Retry-After), if it did.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
