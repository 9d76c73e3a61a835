using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Ledger;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail.InDoubt;

/// <summary>
/// Decides about a send whose earlier attempt was interrupted between "about to commit" and "accepted": the Sent folder
/// says whether the server took it. Not there yet but the attempt is recent: wait out the settle time and look again.
/// Cannot look: <see cref="InDoubtOptions.WhenUnverifiable"/> decides.
/// </summary>
public sealed class InDoubtResolver(ISentFolderCheck sentFolder, InDoubtOptions options, TimeProvider timeProvider, ILogger<InDoubtResolver> logger)
{
    /// <exception cref="MailRequestRejectedException">The outcome cannot be known and the settings say not to risk a duplicate.</exception>
    public async Task<InDoubtDecision> ResolveAsync(Mailbox mailbox, MailboxAccessToken token, string requestId, SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(attempt);
        var search = await sentFolder.FindAsync(mailbox, token, attempt.MessageId, cancellationToken).ConfigureAwait(false);
        var settledAt = attempt.CommittingAt + options.SettleTime;
        if (search.Outcome == SentFolderSearchOutcome.NotFound && timeProvider.GetUtcNow() < settledAt)
        {
            logger.LogInformation("Request {RequestId} of {Mailbox} is in doubt and not in {Folder} yet; looking again at {SettledAt:O}.", requestId, mailbox.Address, search.Folder, settledAt);
            await Task.Delay(settledAt - timeProvider.GetUtcNow(), timeProvider, cancellationToken).ConfigureAwait(false);
            search = await sentFolder.FindAsync(mailbox, token, attempt.MessageId, cancellationToken).ConfigureAwait(false);
        }

        var interrupted = $"An earlier attempt ({attempt.CommittingAt:O}) was interrupted after the message was handed to the server";
        var decision = search.Outcome switch
        {
            SentFolderSearchOutcome.Found => InDoubtDecision.AlreadySent($"{interrupted}; its copy {attempt.MessageId} is in {search.Folder}, so it was not sent again."),
            SentFolderSearchOutcome.NotFound => InDoubtDecision.SendAgain($"{interrupted}; {attempt.MessageId} is not in {search.Folder}, so the server had not accepted it and it was sent again."),
            _ when options.WhenUnverifiable == UnverifiableInDoubtSend.Resend => InDoubtDecision.SendAgain(
                $"{interrupted}; it could not be checked ({search.Reason}), so it was sent again with the same Message-ID {attempt.MessageId} (Mail:InDoubt:WhenUnverifiable = Resend); recipients may have it twice."),
            _ => throw new MailRequestRejectedException(
                $"{interrupted}, and it could not be checked ({search.Reason}); it was not sent again (Mail:InDoubt:WhenUnverifiable = Fail). Look for Message-ID {attempt.MessageId} at the recipients; if it is missing, resubmit with a new idempotency key."),
        };
        logger.LogWarning("Request {RequestId} of {Mailbox} was in doubt: {Decision}", requestId, mailbox.Address, decision.Explanation);
        return decision;
    }
}

/// <summary>What to do with an in-doubt send, and the sentence that says why (it goes into the mail.sent event).</summary>
public sealed record InDoubtDecision(bool WasSent, string Explanation)
{
    public static InDoubtDecision AlreadySent(string explanation) => new(true, explanation);
    public static InDoubtDecision SendAgain(string explanation) => new(false, explanation);
}
