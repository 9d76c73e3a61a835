using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Smtp;

public sealed partial class SmtpClient
{
    /// <summary>
    /// The longest AUTH line that carries the initial response. Dovecot submission refuses long AUTH lines
    /// ("500 5.5.2 Line too long"), Postfix stops at 2048 bytes, RFC 4954 allows 12288 — real Entra tokens
    /// (2–6 KB) therefore go after the 334 prompt, and only short responses ride on the AUTH line.
    /// </summary>
    public const int MaxInitialResponseLineLength = 500;

    /// <summary>Most challenge/response rounds accepted before the exchange is declared broken.</summary>
    private const int MaxSaslRounds = 8;

    /// <summary>
    /// AUTH with <paramref name="mechanism"/>. Handles both failure styles: a 334 JSON error challenge
    /// (Dovecot, Google: answered with the mechanism's abort response, then 535) and a direct 535
    /// (Exchange Online). Failure: <see cref="MailAuthenticationException"/> with the final reply and the
    /// decoded challenge.
    /// </summary>
    public async Task AuthenticateAsync(ISaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        var connection = Connection;
        connection.EnsureEncryptedForAuthentication(mechanism.Name);
        if (IsAuthenticated)
            throw new InvalidOperationException("The SMTP session is already authenticated.");
        var offered = Capabilities.AuthMechanisms;
        if (!offered.Contains(mechanism.Name))
            throw new MailAuthenticationException(offered.Count == 0
                ? $"{connection.Endpoint} offers no SMTP AUTH mechanism."
                : $"{connection.Endpoint} does not offer {mechanism.Name}; it offers {string.Join(", ", offered.Order(StringComparer.Ordinal))}.");

        var initialResponse = SaslEncoding.EncodeInitialResponse(mechanism.Start());
        var command = $"AUTH {mechanism.Name} ";
        SmtpReply reply;
        if (command.Length + initialResponse.Length + 2 <= MaxInitialResponseLineLength)
        {
            await connection.WriteSecretLineAsync(command, initialResponse, cancellationToken).ConfigureAwait(false);
            reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            reply = await CommandAsync($"AUTH {mechanism.Name}", cancellationToken).ConfigureAwait(false);
            if (reply.Code != 334)
                throw reply.IsSuccess ? SmtpErrors.Unexpected(reply, SmtpStep.Auth) : SmtpErrors.AuthenticationFailed(reply, mechanism);
            // The first prompt of a client-first mechanism is empty; the answer is the initial response.
            await connection.WriteSecretLineAsync("", initialResponse == "=" ? "" : initialResponse, cancellationToken).ConfigureAwait(false);
            reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var round = 0; reply.Code == 334; round++)
        {
            if (round == MaxSaslRounds)
                throw new MailProtocolException($"The server kept sending SASL challenges ({MaxSaslRounds} rounds) for {mechanism.Name}.", reply.ToString());
            if (!SaslEncoding.TryDecodeChallenge(reply.Text, out var challenge))
            {
                // RFC 4954 §4: "*" cancels the exchange; the server then answers 501.
                await connection.WriteLineAsync("*", cancellationToken).ConfigureAwait(false);
                await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
                throw new MailProtocolException($"The server sent a SASL challenge for {mechanism.Name} that is not base64.", reply.ToString());
            }
            var response = SaslEncoding.EncodeResponse(mechanism.Next(challenge));
            await connection.WriteSecretLineAsync("", response, cancellationToken).ConfigureAwait(false);
            reply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        }

        if (reply.Code != 235)
            throw reply.IsSuccess ? SmtpErrors.Unexpected(reply, SmtpStep.Auth) : SmtpErrors.AuthenticationFailed(reply, mechanism);
        IsAuthenticated = true;
    }
}
