using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// What the broker needs to send: one message over a fresh connection (<see cref="SendAsync"/>), or an
/// authenticated <see cref="SmtpClient"/> to reuse for many messages (<see cref="OpenAsync"/>).
/// </summary>
public sealed class MailSender(MailClientOptions? options = null)
{
    private readonly MailClientOptions _options = options ?? new MailClientOptions();

    /// <summary>Connects (TLS), authenticates and returns the client; the caller sends and quits.</summary>
    public async Task<SmtpClient> OpenAsync(MailEndpoint endpoint, ISaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        var client = new SmtpClient(_options);
        try
        {
            await client.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            await client.AuthenticateAsync(mechanism, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Connect, authenticate, send, quit.</summary>
    public async Task<SmtpSendResult> SendAsync(MailEndpoint endpoint, ISaslMechanism mechanism, MimeMessage message, CancellationToken cancellationToken = default)
    {
        await using var client = await OpenAsync(endpoint, mechanism, cancellationToken).ConfigureAwait(false);
        var result = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }
}
