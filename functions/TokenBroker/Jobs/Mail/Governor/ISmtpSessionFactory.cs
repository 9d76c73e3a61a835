using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>Opens an authenticated SMTP session (connect, TLS, AUTH). The pool calls it only when no idle session fits.</summary>
public interface ISmtpSessionFactory
{
    Task<SmtpClient> OpenAsync(MailEndpoint endpoint, ISaslMechanism mechanism, CancellationToken cancellationToken = default);
}

/// <summary>The real thing: the mail library's <see cref="MailSender"/>.</summary>
public sealed class SmtpSessionFactory(MailSender sender) : ISmtpSessionFactory
{
    public Task<SmtpClient> OpenAsync(MailEndpoint endpoint, ISaslMechanism mechanism, CancellationToken cancellationToken = default) =>
        sender.OpenAsync(endpoint, mechanism, cancellationToken);
}
