using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Events;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mailboxes;

/// <summary>
/// What an operator does to one mailbox: refresh now (the keep-alive, on demand), disable, enable, remove. Every state
/// change is an event, like the refresh timer's: on broker-events, in the journal, and to the webhook.
/// </summary>
public sealed class MailboxActions(
    IMailboxRegistry registry,
    ITokenCacheStore tokenCaches,
    IMailboxTokenProvider tokens,
    AccessTokenMemoryCache accessTokens,
    IBrokerEventSink events,
    Microsoft.Extensions.Options.IOptions<TokenBroker.Jobs.Refresh.RefreshOptions> refreshOptions,
    TimeProvider time,
    ILogger<MailboxActions> logger)
{
    private const int MaxSaveAttempts = 3;

    /// <summary>Redeems the mailbox's refresh token now and stores the result, as the daily keep-alive does.</summary>
    public async Task<MailboxActionResult> RefreshNowAsync(string address, string actor, CancellationToken cancellationToken)
    {
        var current = await RequireAsync(address, cancellationToken).ConfigureAwait(false);
        var before = current.Value;
        if (before.State == MailboxState.Disabled)
            throw new MailboxActionRefusedException(409, $"{before.Address} is disabled; enable it first.");
        // The identity provider gets as long as the timer gives it per mailbox (Refresh:MailboxTimeout), no longer.
        var limit = refreshOptions.Value.MailboxTimeout;
        using var timeout = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var token = await tokens.KeepAliveAsync(current, linked.Token).ConfigureAwait(false);
            await ReportChangeAsync(before, nameof(MailboxState.Connected), $"Refreshed on request of {actor}.", cancellationToken).ConfigureAwait(false);
            return new MailboxActionResult(before.Address, "refresh", true, nameof(MailboxState.Connected),
                $"The refresh token of {before.Address} was redeemed; the access token is valid until {token.ExpiresOn.UtcDateTime:yyyy-MM-dd HH:mm} UTC.", token.ExpiresOn);
        }
        catch (MailboxTokenUnavailableException unavailable)
        {
            var after = unavailable.State?.ToString() ?? before.State.ToString();
            await ReportChangeAsync(before, after, unavailable.Failure.Reason, cancellationToken).ConfigureAwait(false);
            return new MailboxActionResult(before.Address, "refresh", false, after, $"The refresh failed: {unavailable.Failure.Reason}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new MailboxActionResult(before.Address, "refresh", false, before.State.ToString(),
                $"The identity provider did not answer within {limit.TotalSeconds:0} s (Refresh:MailboxTimeout); nothing changed, try again later.");
        }
    }

    /// <summary>A disabled mailbox is not refreshed and not used for send or fetch until it is enabled again.</summary>
    public async Task<MailboxActionResult> DisableAsync(string address, string actor, CancellationToken cancellationToken)
    {
        var reason = $"Disabled by {actor}.";
        var (before, _) = await UpdateAsync(address, m => m.State == MailboxState.Disabled ? null : m with { State = MailboxState.Disabled, StateReason = reason, Backoff = null }, cancellationToken).ConfigureAwait(false);
        accessTokens.Forget(before.Address);
        await ReportChangeAsync(before, nameof(MailboxState.Disabled), reason, cancellationToken).ConfigureAwait(false);
        return new MailboxActionResult(before.Address, "disable", true, nameof(MailboxState.Disabled), $"{before.Address} is disabled: it is not refreshed and not used for send or fetch.");
    }

    /// <summary>
    /// Back in service: a mailbox that has a signed-in account (or is app-only) is marked Connected and refreshed at
    /// once, so its state tells the truth right away; one without waits for its consent.
    /// </summary>
    public async Task<MailboxActionResult> EnableAsync(string address, string actor, CancellationToken cancellationToken)
    {
        var (before, after) = await UpdateAsync(address, m => m.State != MailboxState.Disabled ? null : m with
        {
            State = m.Mode == MailboxMode.AppOnly || m.HomeAccountId is not null ? MailboxState.Connected : MailboxState.PendingConsent,
            StateReason = null,
        }, cancellationToken).ConfigureAwait(false);
        if (before.State != MailboxState.Disabled)
            return new MailboxActionResult(before.Address, "enable", true, before.State.ToString(), $"{before.Address} was not disabled ({before.State}).");
        await ReportChangeAsync(before, after.State.ToString(), $"Enabled by {actor}.", cancellationToken).ConfigureAwait(false);
        if (after.State != MailboxState.Connected)
            return new MailboxActionResult(before.Address, "enable", true, after.State.ToString(), $"{before.Address} is enabled; it waits for a consent.");
        var refreshed = await RefreshNowAsync(address, actor, cancellationToken).ConfigureAwait(false);
        return refreshed with { Action = "enable", Message = $"{before.Address} is enabled. {refreshed.Message}" };
    }

    /// <summary>Deletes the mailbox's record (with the tokens kept in it) and its account's token cache when no other mailbox shares the account.</summary>
    public async Task<MailboxActionResult> RemoveAsync(string address, string actor, CancellationToken cancellationToken)
    {
        var mailbox = (await RequireAsync(address, cancellationToken).ConfigureAwait(false)).Value;
        await registry.DeleteAsync(mailbox.Address, cancellationToken).ConfigureAwait(false);
        accessTokens.Forget(mailbox.Address);
        if (mailbox.HomeAccountId is { } account)
        {
            var shared = (await registry.ListAsync(cancellationToken).ConfigureAwait(false)).Any(m => m.Value.HomeAccountId == account);
            if (!shared) await tokenCaches.DeleteAsync(account, cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Mailbox {Mailbox} removed by {Actor}.", mailbox.Address, actor);
        await ReportChangeAsync(mailbox, "Removed", $"Removed by {actor}; its tokens are deleted.", cancellationToken).ConfigureAwait(false);
        return new MailboxActionResult(mailbox.Address, "remove", true, null, $"{mailbox.Address} and its tokens are removed.");
    }

    private async Task<Versioned<Mailbox>> RequireAsync(string address, CancellationToken cancellationToken) =>
        await registry.GetAsync(address, cancellationToken).ConfigureAwait(false)
        ?? throw new MailboxActionRefusedException(404, $"No mailbox {address} is registered.");

    /// <summary>Applies <paramref name="change"/> (null: nothing to change) to the stored record, re-reading on a concurrent write.</summary>
    private async Task<(Mailbox Before, Mailbox After)> UpdateAsync(string address, Func<Mailbox, Mailbox?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await RequireAsync(address, cancellationToken).ConfigureAwait(false);
            if (change(current.Value) is not { } changed) return (current.Value, current.Value);
            try
            {
                await registry.SaveAsync(changed with { UpdatedAt = time.GetUtcNow() }, current.Version, cancellationToken).ConfigureAwait(false);
                return (current.Value, changed);
            }
            catch (StoreConcurrencyException) when (attempt < MaxSaveAttempts)
            {
                // The keep-alive or a token request wrote meanwhile: apply the change on top of theirs.
            }
        }
    }

    private async Task ReportChangeAsync(Mailbox before, string after, string reason, CancellationToken cancellationToken)
    {
        if (before.State.ToString() == after) return;
        await events.PublishAsync(BrokerEvent.StateChanged(before.Address, before.State.ToString(), after, reason, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }
}
