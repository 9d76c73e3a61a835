using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;

namespace TokenBroker.Jobs.Fetch;

/// <summary>The IMAP and POP3 servers and client settings the fetch job uses (settings Mail:Imap, Mail:Pop3, …).</summary>
public sealed record MailServers(MailEndpoint Imap, MailEndpoint Pop3, MailClientOptions ClientOptions, MailSaslMechanism Mechanism, FetchLimits? Limits = null)
{
    /// <summary>The limits a hostile server meets (settings Mail:FetchMaxMessageBytes, Mail:FetchRunTimeout).</summary>
    public FetchLimits FetchLimits => Limits ?? FetchLimits.Default;
}

/// <summary>The largest message a fetch accepts and the longest one fetch run may take.</summary>
public sealed record FetchLimits(long MaxMessageBytes, TimeSpan RunTimeout)
{
    public static FetchLimits Default { get; } = new(50L * 1024 * 1024, TimeSpan.FromMinutes(10));
}
