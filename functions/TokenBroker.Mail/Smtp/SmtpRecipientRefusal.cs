namespace TokenBroker.Mail.Smtp;

/// <summary>A recipient the server refused at RCPT TO, with its reply (e.g. 550 5.1.1 unknown user).</summary>
public sealed record SmtpRecipientRefusal(string Address, SmtpReply Reply);
