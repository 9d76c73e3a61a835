using System.Text;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>
    /// AUTH mechanism, always prompted: "AUTH XOAUTH2", "+ ", then the initial response on its own line
    /// (Dovecot POP3 never answers a long initial response on the AUTH line). A "+ " carrying a base64
    /// JSON error is answered as the mechanism says before the -ERR; a direct -ERR (Exchange) fails at once.
    /// </summary>
    public async Task AuthenticateAsync(ISaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        if (!IsEncrypted) throw new InvalidOperationException("Refusing to send credentials over an unencrypted connection.");

        string? errorChallenge = null;
        var initialSent = false;
        await WriteLineAsync("AUTH " + mechanism.Name, secret: false, cancellationToken).ConfigureAwait(false);
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
                throw new MailAuthenticationException(
                    $"POP3 AUTH {mechanism.Name} failed: {Shorten(reply)}" + (errorChallenge is null ? "" : $" (challenge: {errorChallenge})"),
                    reply, errorChallenge);
            }
            if (!reply.StartsWith('+'))
                throw new MailProtocolException($"Expected '+', +OK or -ERR during POP3 AUTH, got: {Shorten(reply)}");

            byte[] answer;
            if (!initialSent)
            {
                answer = mechanism.Start();
                initialSent = true;
            }
            else
            {
                var challenge = DecodeChallenge(reply[1..]);
                if (challenge.Length > 0) errorChallenge = Encoding.UTF8.GetString(challenge);
                answer = mechanism.Next(challenge);
            }
            await WriteLineAsync(Convert.ToBase64String(answer), secret: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private const int MaxAuthRounds = 8;

    private static byte[] DecodeChallenge(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return [];
        try
        {
            return Convert.FromBase64String(trimmed);
        }
        catch (FormatException)
        {
            return Encoding.UTF8.GetBytes(trimmed);
        }
    }
}
