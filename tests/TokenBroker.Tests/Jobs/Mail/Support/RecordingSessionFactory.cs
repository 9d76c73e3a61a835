using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>The real session factory, counting how many sessions (connections, each with one AUTH) it opened.</summary>
internal sealed class RecordingSessionFactory(ISmtpSessionFactory inner) : ISmtpSessionFactory
{
    private int _opened;

    public int Opened => Volatile.Read(ref _opened);

    public Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _opened);
        return inner.OpenAsync(endpoint, mechanism, cancellationToken);
    }
}
