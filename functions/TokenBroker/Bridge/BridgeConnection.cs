using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using TokenBroker.Mail;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge;

/// <summary>An app's connection to an IMAP or POP3 front door: its line channel, and whether TLS is on yet.</summary>
public sealed class BridgeConnection(LineChannel channel, bool isTls, X509Certificate2? certificate)
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

/// <summary>The server side of a TLS handshake with an app.</summary>
public static class ServerTls
{
    public static async Task<SslStream> AuthenticateAsync(Stream inner, X509Certificate2 certificate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, bounded.Token).ConfigureAwait(false);
            return tls;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            throw new MailProtocolException($"The app's TLS handshake failed: {e.Message}", e);
        }
    }
}
