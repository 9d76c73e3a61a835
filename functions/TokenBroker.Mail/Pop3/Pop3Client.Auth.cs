using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    private const int MaxAuthRounds = 8;

    /// <summary>
    /// AUTH mechanism, always prompted: "AUTH XOAUTH2", "+ ", then the initial response on its own line
    /// (Dovecot POP3 never answers a long initial response on the AUTH line). A "+ " carrying a base64
    /// JSON error is answered as the mechanism says before the -ERR; a direct -ERR (Exchange) fails at once.
    /// </summary>
    public async Task AuthenticateAsync(ISaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        _connection.EnsureEncryptedForAuthentication(mechanism.Name);

        var initialSent = false;
        await _connection.WriteLineAsync("AUTH " + mechanism.Name, cancellationToken).ConfigureAwait(false);
        for (var round = 0; ; round++)
        {
            if (round > MaxAuthRounds) throw new MailProtocolException($"POP3 AUTH {mechanism.Name} did not finish after {MaxAuthRounds} exchanges.");
            var reply = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (reply.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
            {
                IsAuthenticated = true;
                return;
            }
            if (reply.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase))
            {
                if (MailThrottledException.TryParseBackoff(reply, out _)) throw Pop3Errors.CommandFailed("AUTH", reply);
                var challenge = mechanism.ServerError is { } error ? $" ({error})" : "";
                throw new MailAuthenticationException(
                    $"POP3 AUTH {mechanism.Name} failed: {Shorten(reply)}{challenge}",
                    reply,
                    mechanism.ServerError,
                    isTransient: reply.Contains("[SYS/TEMP]", StringComparison.OrdinalIgnoreCase)
                        || reply.Contains("[IN-USE]", StringComparison.OrdinalIgnoreCase));
            }
            if (!reply.StartsWith('+'))
                throw new MailProtocolException($"Expected '+', +OK or -ERR during POP3 AUTH {mechanism.Name}.", reply);

            byte[] answer;
            if (!initialSent)
            {
                answer = mechanism.Start();
                initialSent = true;
            }
            else
            {
                var text = reply[1..];
                if (!SaslEncoding.TryDecodeChallenge(text, out var decoded)) decoded = System.Text.Encoding.UTF8.GetBytes(text.Trim());
                answer = mechanism.Next(decoded);
            }
            await _connection.WriteSecretLineAsync("", SaslEncoding.EncodeResponse(answer), cancellationToken).ConfigureAwait(false);
        }
    }
}
