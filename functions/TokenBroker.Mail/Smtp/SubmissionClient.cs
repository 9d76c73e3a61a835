using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// MailKit's SMTP client with the broker's sending rules: a refused recipient is reported while the others still get
/// the message (MailKit's default fails the whole message), every recipient refused becomes one
/// <see cref="SmtpCommandException"/> that is transient when any refusal was, and MailKit's failures become the
/// broker's exceptions with the enhanced status parsed from the reply text. One operation at a time.
/// Open it with <see cref="SmtpSubmission.OpenAsync"/>.
/// </summary>
public sealed class SubmissionClient : MailKit.Net.Smtp.SmtpClient
{
    private readonly List<SmtpRecipientRefusal> _refused = [];

    internal SubmissionClient(IProtocolLogger logger) : base(logger)
    {
    }

    /// <summary>
    /// Send with BDAT when the server offers CHUNKING (default; MailKit alone would use DATA). Measured 1.2x the
    /// messages per second of DATA on Dovecot and Postfix submission (benchmarks: smtp-send).
    /// </summary>
    public bool UseChunking { get; set; } = true;

    protected override bool PreferSendAsBinaryData => UseChunking;

    /// <summary>
    /// Sends <paramref name="message"/> to its To, Cc and Bcc (Bcc is not written). Nothing runs between the start of
    /// the transfer and the server's final reply: a caller that must not send twice records its attempt before calling.
    /// </summary>
    /// <exception cref="SmtpCommandException">The server refused the sender, every recipient or the message; the connection still works.</exception>
    /// <exception cref="MailProtocolException">The connection broke or timed out: whether the server took the message is unknown.</exception>
    public Task<SmtpSendResult> SendMessageAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).Select(m => m.Address).ToList();
        return SendCheckedAsync(message, recipients, token => SendAsync(message, token), cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> as it is to the envelope given (a relay: MAIL FROM and RCPT TO come from the app,
    /// not from the headers), with the same refusal handling as <see cref="SendMessageAsync"/>.
    /// </summary>
    public Task<SmtpSendResult> SendEnvelopeAsync(MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipients);
        return SendCheckedAsync(message, recipients.Select(r => r.Address).ToList(),
            token => SendAsync(FormatOptions.Default, message, sender, recipients, token), cancellationToken);
    }

    private async Task<SmtpSendResult> SendCheckedAsync(MimeMessage message, List<string> recipients, Func<CancellationToken, Task<string>> send, CancellationToken cancellationToken)
    {
        _refused.Clear();
        string finalReply;
        try
        {
            finalReply = await send(cancellationToken).ConfigureAwait(false);
        }
        catch (MailKit.Net.Smtp.SmtpCommandException refused) when (refused.ErrorCode == SmtpErrorCode.RecipientNotAccepted && _refused.Count > 0)
        {
            // Thrown by OnNoRecipientsAccepted as MailKit's own type, so MailKit resets the transaction and keeps the
            // connection (any other exception type makes it disconnect).
            // One temporary refusal makes the whole failure temporary: a retry may reach that recipient.
            var reported = _refused.FirstOrDefault(r => r.Reply.IsTransient) ?? _refused[0];
            throw SmtpErrors.CommandFailed(reported.Reply, SmtpStep.RcptTo, [.. _refused]);
        }
        catch (MailKit.Net.Smtp.SmtpCommandException refused)
        {
            // MailKit has sent RSET already; the connection is usable.
            throw SmtpErrors.FromMailKit(refused);
        }
        catch (Exception broken) when (broken is ProtocolException or IOException or TimeoutException or ServiceNotConnectedException)
        {
            throw new MailProtocolException($"The SMTP connection broke while sending: {broken.Message}", broken);
        }
        var refusedAddresses = _refused.Select(r => r.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new SmtpSendResult(
            recipients.Where(r => !refusedAddresses.Contains(r)).ToList(),
            [.. _refused],
            SmtpReplyText.FromCodeAndText(250, finalReply ?? ""));
    }

    /// <summary>Aborts whatever transaction a failure left behind (RSET → 250); proves the connection is alive.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        SmtpResponse response;
        try
        {
            response = await SendCommandAsync("RSET", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception broken) when (broken is ProtocolException or IOException or TimeoutException or ServiceNotConnectedException)
        {
            throw new MailProtocolException($"The SMTP connection broke at RSET: {broken.Message}", broken);
        }
        if ((int)response.StatusCode is < 200 or >= 300)
            throw SmtpErrors.CommandFailed(SmtpReplyText.FromCodeAndText((int)response.StatusCode, response.Response), SmtpStep.Reset);
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _refused.Add(new SmtpRecipientRefusal(mailbox.Address, SmtpReplyText.FromCodeAndText((int)response.StatusCode, response.Response)));

    protected override void OnNoRecipientsAccepted(MimeMessage message)
    {
        var last = _refused.LastOrDefault()?.Reply ?? new SmtpReply(550, null, ["No recipient was accepted."]);
        throw new MailKit.Net.Smtp.SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, (SmtpStatusCode)last.Code, "No recipient was accepted.");
    }
}
