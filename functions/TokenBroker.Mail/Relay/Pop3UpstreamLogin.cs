using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// Opens a POP3 server over implicit TLS and logs in with AUTH XOAUTH2, the token always after the "+" prompt
/// (Dovecot POP3 never answers a long initial response); a JSON error challenge is answered with an empty line.
/// </summary>
public static class Pop3UpstreamLogin
{
    /// <exception cref="MailAuthenticationException">The server refused the token (its -ERR line is <see cref="MailAuthenticationException.ServerReply"/>).</exception>
    /// <exception cref="MailProtocolException">The connection failed or the server spoke something else.</exception>
    public static async Task<UpstreamSession> OpenAsync(MailEndpoint endpoint, MailClientOptions options, string user, string accessToken, CancellationToken cancellationToken = default)
    {
        var tls = await TlsMailConnection.OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = new LineChannel(tls, options.CommandTimeout, options.MaxLineLength);
            var greeting = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new MailProtocolException($"{endpoint} closed the connection before its greeting.");
            if (!greeting.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
                throw new MailProtocolException($"{endpoint} did not greet with +OK.", greeting);
            await channel.WriteLineAsync("AUTH XOAUTH2", cancellationToken).ConfigureAwait(false);
            var sentPayload = false;
            Sasl.SaslServerError? challenge = null;
            while (true)
            {
                var line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new MailProtocolException($"{endpoint} closed the connection during AUTH XOAUTH2.");
                if (line.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
                    return new UpstreamSession(tls, [line], channel.TakeBuffered());
                if (line.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase))
                {
                    var transient = line.Contains("[SYS/TEMP]", StringComparison.OrdinalIgnoreCase) || line.Contains("[IN-USE]", StringComparison.OrdinalIgnoreCase);
                    throw new MailAuthenticationException($"{endpoint} refused the XOAUTH2 login of {user}: {line}{XOAuth2Payload.Describe(challenge)}",
                        serverReply: line, saslServerError: challenge, isTransient: transient);
                }
                if (!line.StartsWith('+'))
                    throw new MailProtocolException($"{endpoint} answered AUTH XOAUTH2 with something that is not POP3.", line);
                if (!sentPayload)
                {
                    sentPayload = true;
                    await channel.WriteLineAsync(XOAuth2Payload.Base64(user, accessToken), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    challenge = XOAuth2Payload.ParseChallenge(line.Length > 1 ? line[1..] : "");
                    await channel.WriteLineAsync("", cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
