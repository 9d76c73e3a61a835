using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace TokenBroker.Mail.Net;

/// <summary>
/// One TCP (and TLS) connection to a mail server, shared by the SMTP, IMAP and POP3 clients: buffered
/// CRLF line reading with a length cap, exact-length reads for literals, buffered writes, STARTTLS, a
/// timeout on every read and write, and one exception for every way the connection can break.
/// Not thread-safe: one command at a time, like the protocols themselves.
/// </summary>
public sealed partial class MailConnection : IAsyncDisposable
{
    private const int ReadBufferSize = 16 * 1024;

    private readonly MailClientOptions _options;
    private readonly TcpClient? _tcp;
    private readonly CertificateTrust _trust;
    private Stream _stream;
    private byte[] _readBuffer = new byte[ReadBufferSize];
    private int _readStart;
    private int _readEnd;
    private readonly MemoryStream _writeBuffer = new();
    private string? _brokenReason;
    private bool _disposed;

    private MailConnection(Stream stream, TcpClient? tcp, MailEndpoint endpoint, MailClientOptions options, bool isEncrypted)
    {
        _stream = stream;
        _tcp = tcp;
        _options = options;
        _trust = new CertificateTrust(options);
        Endpoint = endpoint;
        IsEncrypted = isEncrypted;
    }

    public MailEndpoint Endpoint { get; }

    public MailClientOptions Options => _options;

    /// <summary>True once TLS is established (implicitly or by <see cref="StartTlsAsync"/>).</summary>
    public bool IsEncrypted { get; private set; }

    /// <summary>False once a read or write failed, timed out or met the end of the stream.</summary>
    public bool IsUsable => _brokenReason is null && !_disposed;

    /// <summary>Connects with <see cref="MailClientOptions.ConnectTimeout"/> and, for smtps/imaps/pop3s,
    /// completes the TLS handshake before returning.</summary>
    public static async Task<MailConnection> ConnectAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using (var timeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    await tcp.ConnectAsync(endpoint.Host, endpoint.Port, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new MailProtocolException($"Could not connect to {endpoint}: no answer within {options.ConnectTimeout.TotalSeconds:0.#} s.");
                }
                catch (SocketException e)
                {
                    throw new MailProtocolException($"Could not connect to {endpoint}: {e.Message}", e);
                }
            }
            var connection = new MailConnection(tcp.GetStream(), tcp, endpoint, options, isEncrypted: false);
            options.ProtocolLog?.Log(MailLogDirection.Info, $"connected to {endpoint}");
            if (endpoint.Security == MailSecurity.ImplicitTls)
                await connection.StartTlsAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an already open stream (tests, or a transport the caller set up). The stream must be
    /// a fresh connection; <paramref name="isEncrypted"/> states whether it already is TLS.</summary>
    internal static MailConnection FromStream(Stream stream, MailEndpoint endpoint, MailClientOptions options, bool isEncrypted)
    {
        options.Validate();
        return new MailConnection(stream, null, endpoint, options, isEncrypted);
    }

    /// <summary>Switches the connection to TLS (after the server agreed to STARTTLS/STLS, or at once for
    /// implicit TLS). Anything still buffered from the plaintext phase is discarded as a protocol error:
    /// a server that sends ahead of the handshake could inject plaintext replies (CVE-2011-0411 class).</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        if (IsEncrypted)
            throw new InvalidOperationException("The connection is already encrypted.");
        if (_readEnd > _readStart)
            Break("the server sent data before the TLS handshake (possible command injection); refusing to continue");

        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = Endpoint.Host,
            RemoteCertificateValidationCallback = _trust.Validate,
            EnabledSslProtocols = SslProtocols.None, // the platform's choice: TLS 1.2 and 1.3
        };
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await ssl.AuthenticateAsClientAsync(authentication, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Break($"timed out after {_options.ConnectTimeout.TotalSeconds:0.#} s in the TLS handshake with {Endpoint}");
        }
        catch (AuthenticationException e)
        {
            Break($"the TLS handshake with {Endpoint} failed: {_trust.LastFailure ?? e.Message}", e);
        }
        catch (IOException e)
        {
            Break($"the TLS handshake with {Endpoint} failed: {e.Message}", e);
        }
        _stream = ssl;
        IsEncrypted = true;
        _options.ProtocolLog?.Log(MailLogDirection.Info, $"TLS established ({ssl.SslProtocol}, {ssl.NegotiatedCipherSuite})");
    }

    /// <summary>The one place that refuses to authenticate over plaintext. Every protocol calls it before
    /// sending credentials.</summary>
    public void EnsureEncryptedForAuthentication(string mechanism)
    {
        if (!IsEncrypted)
            throw new MailAuthenticationException(
                $"Refusing to send {mechanism} credentials to {Endpoint} over an unencrypted connection; use STARTTLS or implicit TLS.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try { await _stream.DisposeAsync().ConfigureAwait(false); }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        _tcp?.Dispose();
        _writeBuffer.Dispose();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_brokenReason is not null)
            throw new MailProtocolException($"The connection to {Endpoint} is no longer usable: {_brokenReason}.");
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Break(string reason, Exception? inner = null, string? received = null)
    {
        _brokenReason = reason;
        _options.ProtocolLog?.Log(MailLogDirection.Info, "connection broken: " + reason);
        try { _stream.Dispose(); } catch (IOException) { } catch (ObjectDisposedException) { }
        _tcp?.Dispose();
        var message = char.ToUpperInvariant(reason[0]) + reason[1..] + ".";
        throw received is null ? new MailProtocolException(message, inner) : new MailProtocolException(message, received, inner);
    }

    internal static string DecodeLine(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line);
}
