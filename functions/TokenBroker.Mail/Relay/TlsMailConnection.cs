using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// A raw TLS connection to an IMAP or POP3 server (implicit TLS: imaps://, pop3s://) for a relay that copies bytes
/// after its own login: certificates checked by the same rules as the MailKit clients (<see cref="CertificateTrust"/>),
/// connect and handshake bounded by <see cref="MailClientOptions.ConnectTimeout"/>.
/// </summary>
public static class TlsMailConnection
{
    /// <exception cref="MailProtocolException">No connection, no TLS, or the certificate was refused (in words).</exception>
    public static async Task<SslStream> OpenAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (endpoint.Security != MailSecurity.ImplicitTls)
            throw new ArgumentException($"{endpoint} is not an implicit-TLS endpoint: use {endpoint.Scheme}s://.", nameof(endpoint));
        var trust = new CertificateTrust(options);
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, linked.Token).ConfigureAwait(false);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false, trust.Validate);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = endpoint.Host }, linked.Token).ConfigureAwait(false);
            return tls;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await CloseAsync(tls, socket).ConfigureAwait(false);
            throw new MailProtocolException($"Could not connect to {endpoint}: no answer within {options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch (AuthenticationException e)
        {
            await CloseAsync(tls, socket).ConfigureAwait(false);
            throw new MailProtocolException($"The TLS handshake with {endpoint} failed: {trust.LastFailure ?? e.Message}", e);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            await CloseAsync(tls, socket).ConfigureAwait(false);
            throw new MailProtocolException($"Could not connect to {endpoint}: {e.Message}", e);
        }
        catch
        {
            await CloseAsync(tls, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask CloseAsync(SslStream? tls, Socket socket)
    {
        if (tls is not null) await tls.DisposeAsync().ConfigureAwait(false);
        else socket.Dispose();
    }
}
