namespace TokenBroker.Mail.Smtp;

/// <summary>Which part of the SMTP dialogue a reply answered.</summary>
public enum SmtpStep { Connect, Helo, StartTls, Auth, MailFrom, RcptTo, Data, Reset, Noop, Quit }
