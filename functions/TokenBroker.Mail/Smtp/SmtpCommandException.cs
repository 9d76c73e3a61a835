namespace TokenBroker.Mail.Smtp;

/// <summary>
/// The SMTP server refused a command; the connection is still usable. <see cref="IsTransient"/> (4xx)
/// means the same message may be sent later; 5xx will fail again unchanged. <see cref="Explanation"/>
/// spells out what well-known Exchange Online replies mean.
/// </summary>
public sealed class SmtpCommandException : MailCommandException
{
    internal SmtpCommandException(string message, SmtpReply reply, SmtpStep step, string? explanation, IReadOnlyList<SmtpRecipientRefusal>? refusedRecipients)
        : base(message, reply.ToString())
    {
        Reply = reply;
        Step = step;
        Explanation = explanation;
        RefusedRecipients = refusedRecipients ?? [];
    }

    public SmtpReply Reply { get; }

    public int Code => Reply.Code;

    /// <summary>RFC 3463 status such as "5.7.60", when the server sent one.</summary>
    public string? EnhancedStatus => Reply.EnhancedStatus;

    public SmtpStep Step { get; }

    public bool IsTransient => Reply.IsTransient;

    public string? Explanation { get; }

    /// <summary>At <see cref="SmtpStep.RcptTo"/>: every refused recipient with its own reply.</summary>
    public IReadOnlyList<SmtpRecipientRefusal> RefusedRecipients { get; }
}
