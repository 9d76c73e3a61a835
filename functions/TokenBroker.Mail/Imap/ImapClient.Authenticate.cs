using TokenBroker.Mail.Imap.Wire;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>
    /// AUTHENTICATE with a SASL mechanism: the initial response on the command line when the server
    /// advertises SASL-IR, else after the first "+". A failure arrives either as a "+" carrying a base64
    /// JSON error (answered as the mechanism says, then NO) or directly as NO (Exchange Online); both
    /// become a <see cref="MailAuthenticationException"/> with the reply and the decoded challenge.
    /// </summary>
    public async Task AuthenticateAsync(ISaslMechanism mechanism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        _connection.EnsureEncryptedForAuthentication(mechanism.Name);

        var initialResponse = mechanism.Start();
        var command = new ImapCommand("AUTHENTICATE").Raw(mechanism.Name);
        var initialSent = false;
        if (HasCapability("SASL-IR"))
        {
            command.Secret(SaslEncoding.EncodeInitialResponse(initialResponse));
            initialSent = true;
        }

        async Task AnswerAsync(ImapResponse continuation, string tag)
        {
            byte[] answer;
            if (!initialSent)
            {
                answer = initialResponse;
                initialSent = true;
            }
            else
            {
                if (!SaslEncoding.TryDecodeChallenge(continuation.ContinuationText, out var challenge))
                    challenge = System.Text.Encoding.UTF8.GetBytes(continuation.ContinuationText);
                answer = mechanism.Next(challenge);
            }
            await _connection.WriteSecretLineAsync("", SaslEncoding.EncodeResponse(answer), cancellationToken).ConfigureAwait(false);
        }

        ImapStatusResponse completion;
        try
        {
            completion = await ExecuteAsync(command, onContinuation: AnswerAsync, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MailCommandException failure) when (failure is not MailThrottledException)
        {
            var challenge = mechanism.ServerError is { } error ? $" ({error})" : "";
            throw new MailAuthenticationException(
                $"IMAP AUTHENTICATE {mechanism.Name} failed: {failure.ServerReply}{challenge}",
                failure.ServerReply,
                mechanism.ServerError,
                isTransient: failure.ServerReply.Contains("[UNAVAILABLE]", StringComparison.OrdinalIgnoreCase),
                failure);
        }

        IsAuthenticated = true;
        if (completion.Code != "CAPABILITY") await CapabilityAsync(cancellationToken).ConfigureAwait(false);
    }
}
