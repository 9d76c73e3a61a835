using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Jobs.Mail.InDoubt;
using TokenBroker.Mail;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Sends one validated request exactly once: ledger check (a redelivery becomes mail.duplicate), an interrupted earlier
/// attempt resolved by <see cref="InDoubtResolver"/>, governor, token, a pooled SMTP session, the message with the
/// Message-ID derived from the idempotency key, an attempt record before the SMTP transaction starts (cleared again when
/// the server refuses it), the sent record right after the server's 250, then mail.sent. Permanent failures throw <see cref="MailRequestRejectedException"/>;
/// everything else (4xx, network, identity-provider trouble, spent budget) propagates so the queue retries.
/// </summary>
public sealed class SendJob(
    IMailboxRegistry registry,
    IMailboxTokenProvider tokens,
    IMailLedger ledger,
    SendGovernor governor,
    SmtpTarget smtp,
    InDoubtResolver inDoubt,
    MailEvents events,
    TimeProvider timeProvider,
    ILogger<SendJob> logger)
{
    private const int LedgerWriteAttempts = 3;
    // Throttled this often within one delivery, the message goes back to the queue (the back-off is shared, so the retry waits too).
    private const int ThrottledRounds = 3;
    private readonly KeyedLock _requestLock = new();

    public async Task RunAsync(SendRequest request, InvocationOutputs context, CancellationToken cancellationToken = default)
    {
        var from = TokenBroker.Mail.Mime.MailboxAddress.Parse(request.From).Address;
        var mailbox = (await registry.GetAsync(from, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new MailRequestRejectedException($"{from} is not a registered mailbox; have an admin invite its owner to consent (tokenbroker consent invite {from} --protocols smtp) before sending from it.");
        MailboxUse.EnsureUsable(mailbox, MailProtocols.Smtp);

        using var sameRequest = await _requestLock.AcquireAsync(mailbox.Address.ToLowerInvariant() + "\n" + request.Id, cancellationToken).ConfigureAwait(false);
        if (await ledger.FindSentAsync(mailbox.Address, request.Id, cancellationToken).ConfigureAwait(false) is { } earlier)
        {
            logger.LogInformation("Request {RequestId} of {Mailbox} was already sent as {MessageId}; not sending it again.", request.Id, mailbox.Address, earlier.MessageId);
            events.Duplicate(context, mailbox.Address, request.Id, earlier.MessageId, earlier.SentAt);
            return;
        }

        var recipients = request.AllRecipients.Count();
        var messageId = MessageIds.For(mailbox.Address, request.Id, MessageIds.DomainOf(from));
        string? inDoubtExplanation = null;
        DateTimeOffset? messageDate = null;
        if (await ledger.FindAttemptAsync(mailbox.Address, request.Id, cancellationToken).ConfigureAwait(false) is { } interrupted)
        {
            var checkToken = await MailboxUse.GetTokenAsync(tokens, mailbox.Address, MailProtocols.Smtp, cancellationToken).ConfigureAwait(false);
            var decision = await inDoubt.ResolveAsync(mailbox, checkToken, request.Id, interrupted, cancellationToken).ConfigureAwait(false);
            if (decision.WasSent)
            {
                var confirmed = new SentRecord(interrupted.MessageId, interrupted.CommittingAt, recipients);
                await RecordSentAsync(mailbox.Address, request.Id, confirmed).ConfigureAwait(false);
                events.Sent(context, mailbox.Address, request.Id, confirmed.MessageId, confirmed.Recipients, inDoubt: decision.Explanation);
                return;
            }
            inDoubtExplanation = decision.Explanation;
            // Sent again as the same message, byte for byte: the Date of the interrupted attempt, not a new one.
            messageDate = interrupted.MessageDate ?? interrupted.CommittingAt;
        }

        var token = await MailboxUse.GetTokenAsync(tokens, mailbox.Address, MailProtocols.Smtp, cancellationToken).ConfigureAwait(false);
        var date = messageDate ?? timeProvider.GetUtcNow();
        var message = SendMessageBuilder.Build(request, messageId, date);

        SmtpSendResult? result = null;
        SentRecord? record = null;
        var recipientsToTake = recipients;
        for (var round = 1; record is null; round++)
        {
            try
            {
                (result, record) = await SendOnceAsync(mailbox.Address, request.Id, token, message, messageId, date, recipientsToTake, () => recipientsToTake = 0, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (governor.IsThrottlingReply(error) && !cancellationToken.IsCancellationRequested)
            {
                // The server throttles the mailbox: every instance backs off; this message waits its turn again.
                var report = await governor.ReportThrottlingAsync(mailbox.Address, error, cancellationToken).ConfigureAwait(false);
                if (report is { IsNew: true })
                    events.Throttled(context, mailbox.Address, request.Id, report.Reason, report.Until);
                if (round >= ThrottledRounds) throw;
            }
        }

        logger.LogInformation("Sent request {RequestId} of {Mailbox} as {MessageId} to {Recipients} recipient(s).", request.Id, mailbox.Address, record.MessageId, record.Recipients);
        events.Sent(context, mailbox.Address, request.Id, record.MessageId, record.Recipients, result!.RefusedRecipients.Select(r => r.Address).ToList(), inDoubtExplanation);
    }

    /// <summary>One try: a session, the mailbox's turn (with its recipients), the attempt record, the transaction, the sent record.</summary>
    private async Task<(SmtpSendResult, SentRecord)> SendOnceAsync(string mailbox, string requestId, MailboxAccessToken token, MimeKit.MimeMessage message,
        string messageId, DateTimeOffset date, int recipients, Action recipientsTaken, CancellationToken cancellationToken)
    {
        // The connection slot is held until the send is recorded: a send the server accepted but the ledger does not
        // know yet is the one a crash would repeat, and holding the slot keeps at most MaxConnections of them per mailbox
        // instead of letting accepted sends queue up behind ledger writes.
        await using var session = await OpenSessionAsync(mailbox, token, cancellationToken).ConfigureAwait(false);
        // The turn is taken with the session in hand, right before the transaction: the server sees the messages no
        // faster than the shared window admitted them.
        using (await governor.WaitForMessageSlotAsync(mailbox, recipients, cancellationToken).ConfigureAwait(false))
            recipientsTaken();
        // The attempt point (docs/mail-requests.md § Exactly once): recorded before the transaction starts, because
        // nothing of ours runs between MailKit's transfer and the server's final reply. From here until the sent
        // record, a stop leaves the send in doubt and the Sent-folder search decides.
        await ledger.RecordAttemptAsync(mailbox, requestId, new SendAttempt(messageId, timeProvider.GetUtcNow(), date), cancellationToken).ConfigureAwait(false);
        SmtpSendResult result;
        try
        {
            result = await session.Client.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException refused)
        {
            // The server answered with a refusal: it did not take this attempt, so it is not in doubt.
            await ForgetAttemptAsync(mailbox, requestId).ConfigureAwait(false);
            if (refused.IsTransient || governor.IsThrottlingReply(refused))
                throw; // 4xx or throttling: the connection is fine, the message waits for a retry
            throw new MailRequestRejectedException($"The SMTP server refused the message from {mailbox}: {refused.Message}", refused);
        }
        catch
        {
            session.Discard();
            throw;
        }
        var record = new SentRecord(messageId, timeProvider.GetUtcNow(), result.AcceptedRecipients.Count);
        await RecordSentAsync(mailbox, requestId, record).ConfigureAwait(false);
        return (result, record);
    }

    private async Task<PooledSmtpSession> OpenSessionAsync(string mailbox, MailboxAccessToken token, CancellationToken cancellationToken)
    {
        try
        {
            return await governor.RentSessionAsync(mailbox, smtp.Endpoint, token, smtp.SaslMechanism, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (governor.IsThrottlingReply(error))
        {
            throw; // reported by the caller: the mailbox backs off, the message is not refused
        }
        catch (MailAuthenticationException refused) when (!refused.IsTransient)
        {
            throw new MailRequestRejectedException($"The SMTP server at {smtp.Endpoint} refused {mailbox}'s token: {refused.Message}", refused);
        }
        catch (SmtpCommandException refused) when (!refused.IsTransient)
        {
            throw new MailRequestRejectedException($"The SMTP server at {smtp.Endpoint} refused the session for {mailbox}: {refused.Message}", refused);
        }
    }

    private async Task ForgetAttemptAsync(string mailbox, string requestId)
    {
        try
        {
            await ledger.ForgetAttemptAsync(mailbox, requestId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Left behind, the attempt only makes the retry check the Sent folder first; the refusal still goes out.
            logger.LogWarning(exception, "Clearing the refused attempt of request {RequestId} of {Mailbox} failed; its retry will check the Sent folder first.", requestId, mailbox);
        }
    }

    private async Task RecordSentAsync(string mailbox, string requestId, SentRecord record)
    {
        // The server has the message: a failure here would resend it on retry, so try harder than once. Not cancellable:
        // the work is done and only its record is missing.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ledger.RecordSentAsync(mailbox, requestId, record, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (attempt < LedgerWriteAttempts)
            {
                logger.LogWarning(exception, "Recording request {RequestId} of {Mailbox} as sent failed (attempt {Attempt}); trying again.", requestId, mailbox, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), timeProvider, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>The SMTP server and SASL mechanism the send job uses (settings Mail:Smtp, Mail:SaslMechanism).</summary>
public sealed record SmtpTarget(MailEndpoint Endpoint, string SaslMechanism);
