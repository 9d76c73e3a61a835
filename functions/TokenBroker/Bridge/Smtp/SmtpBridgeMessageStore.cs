using System.Buffers;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using TokenBroker.Bridge.Access;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Bridge.Smtp;

/// <summary>
/// Each message an app submits goes to the mail server as the logged-in mailbox, within the send governor's limits
/// (messages per minute, recipients per day, connections per mailbox; its authenticated sessions are reused across app
/// connections), with the app's envelope; the server's reply (code and text) is the app's reply.
/// </summary>
public sealed class SmtpBridgeMessageStore(BridgeEndpoint endpoint, IBridgeAccess access, SendGovernor governor, BridgeActivity activity,
    TimeProvider time, ILogger logger) : MessageStore
{
    private static readonly TimeSpan TokenMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A pooled session that finished a transaction this recently goes without RSET: the app holds the message until
    /// our reply, so a connection that died meanwhile costs it one 451 and a retry, not an in-doubt send (the bridge
    /// benchmark's messages on one connection went 5-10 % faster).
    /// </summary>
    private static readonly TimeSpan TrustRecentSession = TimeSpan.FromSeconds(2);

    public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (!context.Properties.TryGetValue(SmtpBridgeAuthenticator.LoginKey, out var stored) || stored is not BridgeLoginResult login)
            return new SmtpResponse((SmtpReplyCode)530, "5.7.0 Authentication required.");
        var mailbox = login.Mailbox;
        var token = login.Token!;
        if (token.ExpiresOn - time.GetUtcNow() < TokenMargin)
        {
            var renewed = await access.LoginAsync(mailbox, (string)context.Properties[SmtpBridgeAuthenticator.SecretKey], SmtpBridgeAuthenticator.Protocol, cancellationToken).ConfigureAwait(false);
            if (renewed.Outcome != BridgeLoginOutcome.Accepted)
            {
                await activity.LoginRefusedAsync(renewed, SmtpBridgeAuthenticator.Protocol, BridgeLogin.OutcomeName(renewed.Outcome), cancellationToken).ConfigureAwait(false);
                return renewed.Outcome == BridgeLoginOutcome.Unavailable
                    ? new SmtpResponse((SmtpReplyCode)451, "4.7.0 " + BridgeConnection.OneLine(BridgeLogin.Explain(renewed)))
                    : new SmtpResponse((SmtpReplyCode)554, "5.7.8 " + BridgeConnection.OneLine(BridgeLogin.Explain(renewed)));
            }
            context.Properties[SmtpBridgeAuthenticator.LoginKey] = renewed;
            token = renewed.Token!;
        }

        var recipients = transaction.To.Select(ToAddress).ToList();
        MimeMessage message;
        using (var bytes = new MemoryStream(buffer.ToArray(), writable: false))
            message = await MimeMessage.LoadAsync(bytes, cancellationToken).ConfigureAwait(false);
        var sender = transaction.From is { } from && !string.IsNullOrEmpty(from.User) ? ToAddress(from) : new MailboxAddress("", "");

        PooledSmtpSession session;
        try
        {
            session = await governor.RentSessionAsync(mailbox, endpoint.Upstream, token, trustRecentUse: TrustRecentSession, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MailboxBusyException busy)
        {
            activity.MessageRefused(login.App!, mailbox);
            return new SmtpResponse((SmtpReplyCode)451, "4.7.0 " + BridgeConnection.OneLine(busy.Message));
        }
        catch (MailAuthenticationException refused)
        {
            await activity.LoginRefusedAsync(login with { Reason = "The mail server refused the mailbox's token: " + refused.ServerReply }, SmtpBridgeAuthenticator.Protocol, "server-refused", cancellationToken).ConfigureAwait(false);
            return new SmtpResponse((SmtpReplyCode)(refused.IsTransient ? 454 : 535),
                BridgeConnection.OneLine($"{(refused.IsTransient ? "4.7.0" : "5.7.8")} The mail server refused the token of {mailbox}: {refused.ServerReply}"));
        }
        catch (TokenBroker.Mail.Smtp.SmtpCommandException refused)
        {
            // Refused at the greeting (Exchange's 432 4.3.2 connection limit) or right after AUTH: the server's words,
            // and every instance leaves the mailbox alone for a while when they are a throttling reply.
            await governor.ReportThrottlingAsync(mailbox, refused, cancellationToken).ConfigureAwait(false);
            return new SmtpResponse((SmtpReplyCode)refused.Reply.Code, BridgeConnection.OneLine(Text(refused.Reply)));
        }
        catch (Exception broken) when (broken is MailProtocolException or MailCommandException or MailThrottledException)
        {
            return new SmtpResponse((SmtpReplyCode)451, "4.4.1 " + BridgeConnection.OneLine($"The bridge could not reach the mail server: {broken.Message}"));
        }

        // The turn (one message of the window and the recipients of the day) is taken with the session in hand, right
        // before the transaction, so the server sees messages no faster than the governor admitted them.
        try
        {
            (await governor.WaitForMessageSlotAsync(mailbox, recipients.Count, cancellationToken).ConfigureAwait(false)).Dispose();
        }
        catch (Exception notNow) when (notNow is SendBudgetExhaustedException or MailboxBusyException)
        {
            await session.DisposeAsync().ConfigureAwait(false);
            activity.MessageRefused(login.App!, mailbox);
            return new SmtpResponse((SmtpReplyCode)(notNow is SendBudgetExhaustedException ? 452 : 451),
                (notNow is SendBudgetExhaustedException ? "4.5.3 " : "4.7.0 ") + BridgeConnection.OneLine(notNow.Message));
        }

        await using (session.ConfigureAwait(false))
        {
            try
            {
                var sent = await session.Client.SendEnvelopeAsync(message, sender, recipients, cancellationToken).ConfigureAwait(false);
                activity.MessageSent(login.App!, mailbox);
                var reply = sent.Reply;
                var refusedNote = sent.RefusedRecipients.Count == 0 ? "" :
                    " (refused by the server: " + string.Join("; ", sent.RefusedRecipients.Select(r => $"{r.Address}: {r.Reply}")) + ")";
                return new SmtpResponse((SmtpReplyCode)reply.Code, BridgeConnection.OneLine(Text(reply) + refusedNote));
            }
            catch (TokenBroker.Mail.Smtp.SmtpCommandException refused)
            {
                await governor.ReportThrottlingAsync(mailbox, refused, cancellationToken).ConfigureAwait(false);
                activity.MessageRefused(login.App!, mailbox);
                return new SmtpResponse((SmtpReplyCode)refused.Reply.Code, BridgeConnection.OneLine(Text(refused.Reply)));
            }
            catch (MailProtocolException broken)
            {
                session.Discard();
                activity.MessageRefused(login.App!, mailbox);
                logger.LogWarning("Bridge SMTP: the connection to {Server} broke while sending for {Mailbox}: {Reason}", endpoint.Upstream, mailbox, broken.Message);
                return new SmtpResponse((SmtpReplyCode)451, "4.4.2 " + BridgeConnection.OneLine($"The connection to the mail server broke during the message: {broken.Message}"));
            }
        }
    }

    private static MailboxAddress ToAddress(IMailbox mailbox) => new("", mailbox.AsAddress());

    private static string Text(SmtpReply reply) => (reply.EnhancedStatus is null ? "" : reply.EnhancedStatus + " ") + reply.Text;
}
