using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>Opens an authenticated SMTP session (connect, TLS, AUTH). The pool calls it only when no idle session fits.</summary>
public interface ISmtpSessionFactory
{
    Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default);
}

/// <summary>The real thing: MailKit through the mail library's <see cref="SmtpSubmission"/>.</summary>
public sealed class SmtpSessionFactory(SmtpSubmission submission) : ISmtpSessionFactory
{
    public Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default) =>
        submission.OpenAsync(endpoint, mechanism, cancellationToken);
}
