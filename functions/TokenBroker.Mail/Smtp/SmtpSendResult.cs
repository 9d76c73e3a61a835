namespace TokenBroker.Mail.Smtp;

/// <summary>
/// The outcome of a message the server accepted: who will get it, who was refused at RCPT TO (the
/// message still went to the others), and the server's final reply (often naming the queue id).
/// </summary>
public sealed record SmtpSendResult(
    IReadOnlyList<string> AcceptedRecipients,
    IReadOnlyList<SmtpRecipientRefusal> RefusedRecipients,
    SmtpReply Reply);
