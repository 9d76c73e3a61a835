using System.Text;
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
        if (!IsEncrypted) throw new InvalidOperationException("Refusing to send credentials over an unencrypted connection.");

        var initialResponse = mechanism.Start();
        var command = new ImapCommand("AUTHENTICATE").Raw(mechanism.Name);
        var initialSent = false;
        if (HasCapability("SASL-IR"))
        {
            command.Raw(initialResponse.Length == 0 ? "=" : Convert.ToBase64String(initialResponse)).Sensitive();
            initialSent = true;
        }

        string? errorChallenge = null;
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
                var challenge = DecodeChallenge(continuation.ContinuationText);
                if (challenge.Length > 0) errorChallenge = Encoding.UTF8.GetString(challenge);
                answer = mechanism.Next(challenge);
            }
            var line = Encoding.ASCII.GetBytes(Convert.ToBase64String(answer) + "\r\n");
            await _transport.WriteAsync(line, secret: true, cancellationToken).ConfigureAwait(false);
            await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        ImapStatusResponse completion;
        try
        {
            completion = await ExecuteAsync(command, onContinuation: AnswerAsync, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (MailCommandException failure) when (failure is not MailThrottledException)
        {
            throw new MailAuthenticationException(
                $"IMAP AUTHENTICATE {mechanism.Name} failed: {failure.ServerReply}" + (errorChallenge is null ? "" : $" (challenge: {errorChallenge})"),
                failure.ServerReply, errorChallenge);
        }

        IsAuthenticated = true;
        if (completion.Code != "CAPABILITY") await CapabilityAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A challenge is base64; a server that sends plain text instead gets its text passed through.</summary>
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
