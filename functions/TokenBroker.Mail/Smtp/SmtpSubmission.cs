using MimeKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// What the broker needs to send: an authenticated <see cref="SubmissionClient"/> to reuse for many messages
/// (<see cref="OpenAsync"/>), or one message over a fresh connection (<see cref="SendAsync"/>). TLS always
/// (implicit or required STARTTLS), certificates checked, the token after the 334 prompt unless the AUTH line stays short.
/// </summary>
public sealed class SmtpSubmission(MailClientOptions? options = null)
{
    private readonly MailClientOptions _options = options ?? new MailClientOptions();

    /// <summary>Send with BDAT when the server offers CHUNKING (default; see <see cref="SubmissionClient.UseChunking"/>).</summary>
    public bool UseChunking { get; init; } = true;

    /// <summary>Connects (TLS), authenticates and returns the client; the caller sends and quits.</summary>
    public async Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(mechanism);
        if (endpoint.Protocol != MailProtocol.Smtp)
            throw new ArgumentException($"{endpoint} is not an SMTP endpoint (use smtp:// or smtps://).", nameof(endpoint));
        var client = MailKitConnector.CreateSubmission(_options);
        client.UseChunking = UseChunking;
        try
        {
            try
            {
                await MailKitConnector.ConnectAsync(client, endpoint, _options, cancellationToken).ConfigureAwait(false);
            }
            catch (MailCommandException refused) when (refused.InnerException is MailKit.Net.Smtp.SmtpCommandException reply)
            {
                // A refusal at the greeting (Exchange's 432 4.3.2 connection limit): transient or not, with the explanation.
                throw SmtpErrors.FromMailKit(reply, SmtpStep.Connect);
            }
            await OAuthLogin.AuthenticateAsync(client, mechanism, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Connect, authenticate, send, quit.</summary>
    public async Task<SmtpSendResult> SendAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, MimeMessage message, CancellationToken cancellationToken = default)
    {
        using var client = await OpenAsync(endpoint, mechanism, cancellationToken).ConfigureAwait(false);
        var result = await client.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
        await QuitQuietlyAsync(client, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>QUIT, tolerating a server that hangs up first: the session is over either way.</summary>
    public static async Task QuitQuietlyAsync(SubmissionClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException or TimeoutException)
        {
            // Nothing is left to do with this connection.
        }
    }
}
