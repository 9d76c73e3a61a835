using System.Net.Security;
using TokenBroker.Mail;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge;

/// <summary>An app's connection to an IMAP or POP3 front door: its line channel, and whether TLS is on yet.</summary>
public sealed class BridgeConnection(LineChannel channel, bool isTls, SslStreamCertificateContext? certificate)
{
    public LineChannel Channel { get; } = channel;
    public bool IsTls { get; private set; } = isTls;
    public bool CanStartTls => !IsTls && certificate is not null;

    /// <summary>STARTTLS/STLS: the handshake on the same connection, bounded by the channel's timeout.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var tls = await ServerTls.AuthenticateAsync(Channel.Stream, certificate!, Channel.Timeout, cancellationToken).ConfigureAwait(false);
        Channel.Replace(tls);
        IsTls = true;
    }

    /// <summary>Control characters out of a sentence that goes on one protocol line.</summary>
    public static string OneLine(string? text) =>
        string.Create((text ?? "").Length, text ?? "", (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = char.IsControl(source[i]) ? ' ' : source[i];
        });
}
