using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;
using TokenBroker.Jobs.Events;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// Finishes a sign-in that did not come through the consent callback (a device code, an imported refresh token):
/// the callback's own checks (<see cref="ConsentTokenCheck"/>: account, audience, scopes, same wording), then one
/// versioned mailbox save and the staged token cache's commit. A refused token is never stored.
/// </summary>
public sealed class SignInCompletion(IMailboxRegistry registry, TimeProvider timeProvider, ILogger<SignInCompletion> logger, IBrokerEventSink? events = null)
{
    /// <param name="clientKind">The kind of client that redeemed the sign-in, recorded so that the keep-alive redeems the refresh token the same way.</param>
    /// <param name="how">What connected the mailbox, for the log and a <c>mailbox.recovered</c> event ("Connected through a device code sign-in").</param>
    public async Task<ConsentOutcome> CompleteAsync(ConsentTarget target, string tenantId, AuthenticationResult result, StagedTokenCache stagedCache,
        MailboxClientKind clientKind, string how, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var current = await registry.GetAsync(target.Mailbox, cancellationToken).ConfigureAwait(false);
            var before = current?.Value ?? MailboxConnection.New(target, tenantId, now);
            if (before.State == MailboxState.Disabled)
                return ConsentOutcome.Problem(409, "The mailbox is disabled",
                    $"An operator disabled {before.Address}; enable it before connecting it again. Nothing was stored.");
            if (ConsentTokenCheck.Check(result, target, before) is { } refusal)
            {
                logger.LogWarning("{How} for {Mailbox} refused: {Title}.", how, target.Mailbox, refusal.Title);
                return refusal;
            }
            try
            {
                await registry.SaveAsync(MailboxConnection.Connected(before, target, tenantId, result, now, clientKind), current?.Version, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
                continue; // a refresh or another consent wrote meanwhile: re-read and apply on top
            }
            await stagedCache.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (current is not null)
                await MailboxRecovery.PublishIfRecoveredAsync(events, before, how, now, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Mailbox {Mailbox} connected ({Protocols}) as {SignedIn}: {How}; access token valid until {ExpiresOn:O}.",
                target.Mailbox, MailScopes.Describe(target.Protocols), target.DelegateAddress ?? target.Mailbox, how, result.ExpiresOn);
            return new ConsentOutcome(200, "Mailbox connected", [MailboxConnection.ConnectedSentence(target)]);
        }
    }
}
