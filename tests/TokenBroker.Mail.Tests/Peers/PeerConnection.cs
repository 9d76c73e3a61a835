using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Peers;

/// <summary>
/// A bare line-oriented connection (IMAP, POP3, SMTP) to a peer, with STARTTLS or implicit TLS
/// trusting only the test CA, and a timeout on every read: the peer tests use no mail library.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly List<byte> _pending = [];
    private Stream _stream;

    private PeerConnection(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public static async Task<PeerConnection> ConnectAsync(int port, bool implicitTls = false, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        await tcp.ConnectAsync(PeersEnvironment.Get("MAIL_HOST"), port, timeout.Token);
        var connection = new PeerConnection(tcp, tcp.GetStream());
        if (implicitTls)
            await connection.StartTlsAsync(cancellationToken);
        return connection;
    }

    public bool IsEncrypted => _stream is SslStream { IsAuthenticated: true };

    /// <summary>Switches to TLS (after the server agreed to STARTTLS/STLS).</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken = default)
    {
        if (_pending.Count > 0)
            throw new InvalidOperationException("The server sent data before the TLS handshake.");
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        await tls.AuthenticateAsClientAsync(TestCertificates.CreateSslClientOptions(PeersEnvironment.Get("MAIL_HOST")), timeout.Token);
        _stream = tls;
    }

    public async Task WriteLineAsync(string line, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>The next line without its CRLF; a closed connection or silence past the timeout throws.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        var buffer = new byte[4096];
        while (true)
        {
            var end = IndexOfLineEnd();
            if (end >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, end).ToArray());
                _pending.RemoveRange(0, end + 2);
                return line;
            }
            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No line from the peer within {ReadTimeout.TotalSeconds} s.");
            }
            if (read == 0)
                throw new IOException("The peer closed the connection.");
            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads lines until one satisfies <paramref name="isLast"/>; returns them all.</summary>
    public async Task<IReadOnlyList<string>> ReadUntilAsync(Func<string, bool> isLast, CancellationToken cancellationToken = default)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            lines.Add(line);
            if (isLast(line))
                return lines;
        }
    }

    private int IndexOfLineEnd()
    {
        for (var i = 0; i + 1 < _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\n')
                return i;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
