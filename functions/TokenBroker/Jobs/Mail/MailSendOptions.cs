namespace TokenBroker.Jobs.Mail;

/// <summary>Settings "Mail" for sending.</summary>
public sealed class MailSendOptions
{
    public const string Section = "Mail";

    /// <summary>The submission server: smtp:// (STARTTLS) or smtps:// (implicit TLS).</summary>
    public string Smtp { get; set; } = "smtp://smtp.office365.com:587";

    /// <summary>A PEM file of extra CA certificates to trust (a private or test CA); system roots stay trusted.</summary>
    public string? ExtraTrustedCaFile { get; set; }

    /// <summary>"xoauth2" (what Exchange Online documents) or "oauthbearer".</summary>
    public string SaslMechanism { get; set; } = "xoauth2";

    /// <summary>Timeout of each SMTP command (the body counts as one).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
