namespace TokenBroker.Jobs.Fetch;

/// <summary>Settings "Mail" for fetching (shared section with sending: ExtraTrustedCaFile, SaslMechanism).</summary>
public sealed class FetchOptions
{
    public const string Section = "Mail";

    /// <summary>The IMAP server: imaps:// (implicit TLS) or imap:// (STARTTLS required).</summary>
    public string Imap { get; set; } = "imaps://outlook.office365.com:993";

    /// <summary>The POP3 server: pop3s:// (implicit TLS) or pop3:// (STARTTLS required).</summary>
    public string Pop3 { get; set; } = "pop3s://outlook.office365.com:995";

    /// <summary>A PEM file of extra CA certificates to trust (a private or test CA); system roots stay trusted.</summary>
    public string? ExtraTrustedCaFile { get; set; }

    /// <summary>"xoauth2" (what Exchange Online documents) or "oauthbearer".</summary>
    public string SaslMechanism { get; set; } = "xoauth2";

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of each IMAP/POP3 read or write.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest message a fetch accepts; a larger one fails the request with a sentence, unread.</summary>
    public long FetchMaxMessageBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>The longest one fetch run may take (connect to logout, deliveries included).</summary>
    public TimeSpan FetchRunTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one webhook POST (a whole message) may take before it counts as a transient failure.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
