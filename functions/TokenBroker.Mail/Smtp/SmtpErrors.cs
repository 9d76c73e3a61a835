using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Smtp;

/// <summary>The one place where a refusing SMTP reply becomes an exception.</summary>
internal static class SmtpErrors
{
    public static SmtpCommandException CommandFailed(SmtpReply reply, SmtpStep step, IReadOnlyList<SmtpRecipientRefusal>? refusedRecipients = null)
    {
        var explanation = ExchangeReplyExplanations.Explain(reply);
        var what = step switch
        {
            SmtpStep.Connect => "The server refused the connection",
            SmtpStep.Helo => "The server refused EHLO/HELO",
            SmtpStep.StartTls => "The server refused STARTTLS",
            SmtpStep.Auth => "The server refused AUTH",
            SmtpStep.MailFrom => "The server refused the sender (MAIL FROM)",
            SmtpStep.RcptTo => "The server refused every recipient (RCPT TO)",
            SmtpStep.Data => "The server refused the message (DATA)",
            SmtpStep.Reset => "The server refused RSET",
            SmtpStep.Noop => "The server refused NOOP",
            _ => "The server refused QUIT",
        };
        var message = $"{what}: {reply}";
        if (refusedRecipients is { Count: > 0 })
            message += " (" + string.Join("; ", refusedRecipients.Select(r => $"{r.Address}: {r.Reply}")) + ")";
        if (explanation is not null)
            message += " — " + explanation;
        return new SmtpCommandException(message, reply, step, explanation, refusedRecipients);
    }

    /// <summary>MailKit's refusal with the reply it carries (code and text, the enhanced status still in the text).</summary>
    public static SmtpCommandException FromMailKit(MailKit.Net.Smtp.SmtpCommandException refused, SmtpStep? at = null)
    {
        var step = at ?? refused.ErrorCode switch
        {
            MailKit.Net.Smtp.SmtpErrorCode.SenderNotAccepted => SmtpStep.MailFrom,
            MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted => SmtpStep.RcptTo,
            _ => SmtpStep.Data,
        };
        return CommandFailed(SmtpReplyText.FromCodeAndText((int)refused.StatusCode, refused.Message), step);
    }

    public static MailProtocolException Unexpected(SmtpReply reply, SmtpStep step) =>
        new($"Unexpected SMTP reply to {step}.", reply.ToString());
}
