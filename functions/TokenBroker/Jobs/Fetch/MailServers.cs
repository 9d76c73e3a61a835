using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;

namespace TokenBroker.Jobs.Fetch;

/// <summary>The IMAP and POP3 servers and client settings the fetch job uses (settings Mail:Imap, Mail:Pop3, …).</summary>
public sealed record MailServers(MailEndpoint Imap, MailEndpoint Pop3, MailClientOptions ClientOptions, MailSaslMechanism Mechanism);
