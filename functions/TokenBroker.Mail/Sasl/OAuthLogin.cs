using MailKit;
using MailKit.Security;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;
using MailKitAuthenticationException = MailKit.Security.AuthenticationException;

namespace TokenBroker.Mail.Sasl;

/// <summary>
/// Authenticates a connected MailKit client with an OAuth mechanism and turns every way it can fail into
/// the broker's exceptions: a refusal becomes <see cref="MailAuthenticationException"/> carrying the
/// server's own final line (MailKit keeps it only in the protocol log), the decoded JSON challenge, the
/// transient/permanent verdict and, for Exchange Online replies, what to do about them; throttling
/// becomes <see cref="MailThrottledException"/>; a broken connection <see cref="MailProtocolException"/>.
/// </summary>
public static class OAuthLogin
{
    public static async Task AuthenticateAsync(MailService client, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(mechanism);
        var protocol = ProtocolOf(client);
        var name = mechanism.MechanismName;
        if (!client.IsConnected)
            throw new InvalidOperationException("The client is not connected; connect with MailKitConnector.ConnectAsync first.");
        if (!client.IsSecure)
            throw new MailAuthenticationException($"Refusing to send {name} credentials over an unencrypted connection; use STARTTLS or implicit TLS.");
        if (protocol == MailProtocol.Smtp && !client.AuthenticationMechanisms.Contains(name))
            throw new MailAuthenticationException(client.AuthenticationMechanisms.Count == 0
                ? "The server offers no SMTP AUTH mechanism."
                : $"The server does not offer {name}; it offers {string.Join(", ", client.AuthenticationMechanisms.Select(m => m.ToUpperInvariant()).Order(StringComparer.Ordinal))}.");

        mechanism.Reset();
        var log = client.ProtocolLogger as MailKitProtocolLog;
        try
        {
            await client.AuthenticateAsync(mechanism, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandException e) when (!MailThrottledException.TryParseBackoff(log?.LastServerLine ?? e.Message, out _))
        {
            // MailKit reports a refused login as AuthenticationException; a command exception comes from its
            // own follow-ups after the server accepted the login (IMAP NAMESPACE/LIST, POP3 CAPA/STAT):
            // Exchange logs in a mailbox with IMAP/POP disabled and refuses the next command.
            var reply = log?.LastServerLine ?? e.Message;
            throw new MailCommandException($"Login worked, but the server refused the next command: {reply}", reply, e);
        }
        catch (Exception e) when (e is MailKitAuthenticationException or CommandException)
        {
            throw Refused(protocol, mechanism, log?.LastServerLine ?? e.Message, e);
        }
        catch (Exception e) when (e is ProtocolException or SaslException or IOException)
        {
            throw new MailProtocolException(
                $"The connection broke during {Verb(protocol)} {name}: {e.Message} A server may drop the connection instead of refusing a token " +
                "(Dovecot does for tokens over ~6,100 characters), so check the token before the network.", e);
        }
    }

    private static Exception Refused(MailProtocol protocol, OAuthSaslMechanism mechanism, string reply, Exception inner)
    {
        if (MailThrottledException.TryParseBackoff(reply, out var backoff))
            return new MailThrottledException($"The server is throttling the mailbox: {reply}", reply, backoff);
        var smtpReply = protocol == MailProtocol.Smtp ? SmtpReplyText.Parse(reply) : null;
        var transient = protocol switch
        {
            MailProtocol.Smtp => smtpReply?.IsTransient ?? false,
            MailProtocol.Imap => reply.Contains("[UNAVAILABLE]", StringComparison.OrdinalIgnoreCase),
            _ => reply.Contains("[SYS/TEMP]", StringComparison.OrdinalIgnoreCase) || reply.Contains("[IN-USE]", StringComparison.OrdinalIgnoreCase),
        };
        var message = $"{protocol.ToString().ToUpperInvariant()} {Verb(protocol)} {mechanism.MechanismName} failed: {reply}";
        if (mechanism.ServerError is { } error)
            message += $" ({error})";
        if (smtpReply is not null && ExchangeReplyExplanations.Explain(smtpReply) is { } explanation)
            message += " — " + explanation;
        return new MailAuthenticationException(message, reply, mechanism.ServerError, transient, inner);
    }

    private static string Verb(MailProtocol protocol) => protocol == MailProtocol.Imap ? "AUTHENTICATE" : "AUTH";

    private static MailProtocol ProtocolOf(MailService client) => client switch
    {
        IMailTransport => MailProtocol.Smtp,
        MailKit.Net.Imap.IImapClient => MailProtocol.Imap,
        MailKit.Net.Pop3.IPop3Client => MailProtocol.Pop3,
        _ => throw new ArgumentException($"{client.GetType().Name} is not an SMTP, IMAP or POP3 client.", nameof(client)),
    };
}
