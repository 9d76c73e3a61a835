using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>Chooses the fetcher for an endpoint: imap:// and imaps:// read a folder, pop3:// and pop3s:// the maildrop.</summary>
public static class MailFetcher
{
    public static IMailFetcher Create(MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentNullException.ThrowIfNull(login);
        return endpoint.Protocol switch
        {
            MailProtocol.Imap => new ImapMailFetcher(endpoint, clientOptions, login, options),
            MailProtocol.Pop3 => new Pop3MailFetcher(endpoint, clientOptions, login, options),
            _ => throw new ArgumentException($"{endpoint} is not an IMAP or POP3 server: mail is fetched over imap(s):// or pop3(s)://.", nameof(endpoint)),
        };
    }
}
