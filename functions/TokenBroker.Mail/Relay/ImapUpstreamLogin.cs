using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// Opens an IMAP server over implicit TLS and logs in with AUTHENTICATE XOAUTH2 under the app's own tag, so the
/// server's tagged answer is already the answer to the app's LOGIN. The token rides on the command (SASL-IR) unless
/// the greeting lists capabilities without SASL-IR; a JSON error challenge is answered with an empty line.
/// </summary>
public static class ImapUpstreamLogin
{
    /// <exception cref="MailAuthenticationException">The server refused the token (its tagged NO/BAD line is <see cref="MailAuthenticationException.ServerReply"/>).</exception>
    /// <exception cref="MailProtocolException">The connection failed or the server spoke something else.</exception>
    public static async Task<UpstreamSession> OpenAsync(MailEndpoint endpoint, MailClientOptions options, string tag, string user, string accessToken, CancellationToken cancellationToken = default)
    {
        var tls = await TlsMailConnection.OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = new LineChannel(tls, options.CommandTimeout, options.MaxLineLength);
            var greeting = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new MailProtocolException($"{endpoint} closed the connection before its greeting.");
            if (!greeting.StartsWith("* OK", StringComparison.OrdinalIgnoreCase))
                throw new MailProtocolException($"{endpoint} did not greet with * OK.", greeting);
            var payload = XOAuth2Payload.Base64(user, accessToken);
            // Like the mail layer's mechanisms: the token rides on the command only while the line stays short (servers
            // cap command lines; Dovecot drops ~6,100-character ones), else it follows the "+" prompt.
            var initialResponse = (!greeting.Contains("[CAPABILITY ", StringComparison.OrdinalIgnoreCase)
                || greeting.Contains(" SASL-IR", StringComparison.OrdinalIgnoreCase))
                && tag.Length + " AUTHENTICATE XOAUTH2 ".Length + payload.Length + 2 <= Sasl.OAuthSaslMechanism.MaxInitialResponseLineLength;
            await channel.WriteLineAsync(initialResponse ? $"{tag} AUTHENTICATE XOAUTH2 {payload}" : $"{tag} AUTHENTICATE XOAUTH2", cancellationToken).ConfigureAwait(false);

            var reply = new List<string>();
            var sentPayload = initialResponse;
            Sasl.SaslServerError? challenge = null;
            while (true)
            {
                var line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new MailProtocolException($"{endpoint} closed the connection during AUTHENTICATE XOAUTH2 (Dovecot does this with tokens over ~6,100 characters).");
                if (line.StartsWith('+'))
                {
                    if (!sentPayload)
                    {
                        sentPayload = true;
                        await channel.WriteLineAsync(payload, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        challenge = XOAuth2Payload.ParseChallenge(line.Length > 1 ? line[1..] : "");
                        await channel.WriteLineAsync("", cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                reply.Add(line);
                if (!line.StartsWith(tag + " ", StringComparison.Ordinal)) continue;
                var status = line[(tag.Length + 1)..];
                if (status.StartsWith("OK", StringComparison.OrdinalIgnoreCase))
                    return new UpstreamSession(tls, reply, channel.TakeBuffered());
                var transient = status.Contains("[UNAVAILABLE]", StringComparison.OrdinalIgnoreCase);
                throw new MailAuthenticationException($"{endpoint} refused the XOAUTH2 login of {user}: {status}{XOAuth2Payload.Describe(challenge)}",
                    serverReply: status, saslServerError: challenge, isTransient: transient);
            }
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
