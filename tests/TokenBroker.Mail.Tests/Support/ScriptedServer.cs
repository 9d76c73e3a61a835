using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Tests.Support;

/// <summary>
/// A scripted mail server on 127.0.0.1 for transcript tests (SMTP, IMAP, POP3 alike): it sends canned
/// replies, checks the lines the client sends, can switch to TLS (test CA) or drop the connection, and
/// records every byte the client wrote so a test can compare the exact client bytes.
/// <code>
/// await using var server = ScriptedServer.Start(s => s.Send("220 hi\r\n").Expect("EHLO localhost").Send("250 ok\r\n"));
/// … drive the client against server.Endpoint("smtp") …
/// Assert.Equal("EHLO localhost\r\n…", await server.ClientTextAsync());
/// </code>
/// A line that differs from an Expect fails the script: <see cref="ClientTextAsync"/> then throws
/// with both lines.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly List<Func<Session, Task>> _steps = [];
    private readonly MemoryStream _received = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private ScriptedServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    public static ScriptedServer Start(Action<ScriptedServer> script)
    {
        var server = new ScriptedServer();
        script(server);
        server._listener.Start(1);
        server._run = server.RunAsync();
        return server;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>An endpoint for this server; "localhost" so the test CA's certificate matches.</summary>
    public MailEndpoint Endpoint(string scheme) => MailEndpoint.Parse($"{scheme}://localhost:{Port}");

    /// <summary>Client options that trust the test CA and keep timeouts short.</summary>
    public static MailClientOptions ClientOptions(TimeSpan? commandTimeout = null) => new()
    {
        ExtraTrustedRoots = ScriptedServerCertificates.TrustedRoots,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(10),
    };

    // ---- script steps ----

    /// <summary>Sends text exactly as given (write the CRLFs).</summary>
    public ScriptedServer Send(string text) => Step(session => session.WriteAsync(Encoding.UTF8.GetBytes(text)));

    public ScriptedServer SendBytes(byte[] bytes) => Step(session => session.WriteAsync(bytes));

    /// <summary>Reads one client line and fails the script unless it equals <paramref name="line"/> (without CRLF).</summary>
    public ScriptedServer Expect(string line) => Step(async session =>
    {
        var actual = await session.ReadLineAsync();
        if (actual != line)
            throw new ScriptMismatchException($"expected client line '{line}' but got '{actual}'");
    });

    /// <summary>Reads an IMAP command line "tag <paramref name="command"/>", remembers the tag (MailKit's tag
    /// prefix differs per client) and fails the script unless the rest equals <paramref name="command"/>.</summary>
    public ScriptedServer ExpectTagged(string command) => Step(async session =>
    {
        var actual = await session.ReadLineAsync();
        var space = actual.IndexOf(' ');
        if (space <= 0 || actual[(space + 1)..] != command)
            throw new ScriptMismatchException($"expected client line '<tag> {command}' but got '{actual}'");
        session.Tag = actual[..space];
    });

    /// <summary>Sends "tag <paramref name="text"/>\r\n" with the tag of the last <see cref="ExpectTagged"/>.</summary>
    public ScriptedServer SendTagged(string text) => Step(session => session.WriteAsync(Encoding.UTF8.GetBytes($"{session.Tag} {text}\r\n")));

    /// <summary>Reads one client line whatever it says (e.g. a random tag or a token).</summary>
    public ScriptedServer ReadLine() => Step(async session => await session.ReadLineAsync());

    /// <summary>Reads client bytes up to and including <paramref name="terminator"/> (e.g. "\r\n.\r\n").</summary>
    public ScriptedServer ReadUntil(string terminator) => Step(session => session.ReadUntilAsync(Encoding.ASCII.GetBytes(terminator)));

    /// <summary>Reads exactly <paramref name="count"/> client bytes.</summary>
    public ScriptedServer ReadBytes(int count) => Step(session => session.ReadCountAsync(count));

    /// <summary>Performs the server side of a TLS handshake with the test certificate.</summary>
    public ScriptedServer StartTls(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null) =>
        Step(session => session.StartTlsAsync(certificate ?? ScriptedServerCertificates.Server));

    /// <summary>Closes the connection at this point (what a crashed or impatient server does).</summary>
    public ScriptedServer Close() => Step(session => { session.Close(); return Task.CompletedTask; });

    /// <summary>Stops answering but keeps the connection open, until the client gives up.</summary>
    public ScriptedServer Hang() => Step(session => session.DrainUntilClosedAsync());

    /// <summary>Sends <paramref name="text"/> one byte at a time, <paramref name="interval"/> apart, until done or the client leaves.</summary>
    public ScriptedServer Trickle(string text, TimeSpan interval) => Step(async session =>
    {
        try
        {
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                await session.WriteAsync([b]);
                await Task.Delay(interval);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The client gave up: what a trickling server is for.
        }
    });

    /// <summary>Sends <paramref name="count"/> bytes of message lines, stopping quietly when the client leaves.</summary>
    public ScriptedServer Flood(long count) => Step(async session =>
    {
        var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
        try
        {
            for (long sent = 0; sent < count; sent += line.Length) await session.WriteAsync(line);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The client cut the connection off, as it should.
        }
    });

    private ScriptedServer Step(Func<Session, Task> step)
    {
        _steps.Add(step);
        return this;
    }

    // ---- results ----

    /// <summary>Waits for the script and the client to finish and returns every byte the client sent as UTF-8.</summary>
    public async Task<string> ClientTextAsync() => Encoding.UTF8.GetString(await ClientBytesAsync());

    public async Task<byte[]> ClientBytesAsync()
    {
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("The scripted server is still waiting after 30 s: the script expects more from the client, or the client was not disposed before reading the transcript.");
        }
        lock (_received) return _received.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (Exception) { /* the test already saw (or did not need) the script's outcome */ }
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        _listener.Stop();
        var session = new Session(client, _received, _stop.Token);
        try
        {
            foreach (var step in _steps)
                await step(session);
            // After the script, keep recording until the client closes, so extra client bytes show up.
            await session.DrainUntilClosedAsync();
        }
        finally
        {
            session.Close();
        }
    }

    public sealed class ScriptMismatchException(string message) : Exception(message);

    private sealed class Session(TcpClient client, MemoryStream received, CancellationToken stop)
    {
        private Stream _stream = client.GetStream();
        private readonly List<byte> _pending = [];
        private bool _closed;

        /// <summary>The tag of the last IMAP command read with ExpectTagged.</summary>
        public string Tag { get; set; } = "*";

        public async Task WriteAsync(byte[] bytes)
        {
            await _stream.WriteAsync(bytes, stop);
            await _stream.FlushAsync(stop);
        }

        public async Task<string> ReadLineAsync()
        {
            var bytes = await ReadUntilAsync("\n"u8.ToArray());
            var text = Encoding.UTF8.GetString(bytes);
            return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.TrimEnd('\n');
        }

        public async Task<byte[]> ReadUntilAsync(byte[] terminator)
        {
            var searchFrom = 0;
            while (true)
            {
                var index = IndexOf(_pending, terminator, searchFrom);
                if (index >= 0)
                {
                    var taken = _pending.GetRange(0, index + terminator.Length).ToArray();
                    _pending.RemoveRange(0, index + terminator.Length);
                    return taken;
                }
                searchFrom = Math.Max(0, _pending.Count - terminator.Length + 1);
                if (!await FillAsync())
                    throw new ScriptMismatchException($"the client closed the connection while the script waited for '{Encoding.UTF8.GetString(terminator).Replace("\r\n", "\\r\\n")}'");
            }
        }

        public async Task ReadCountAsync(int count)
        {
            while (_pending.Count < count)
            {
                if (!await FillAsync())
                    throw new ScriptMismatchException($"the client closed the connection after {_pending.Count} of {count} bytes");
            }
            _pending.RemoveRange(0, count);
        }

        public async Task StartTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            if (_pending.Count > 0)
                throw new ScriptMismatchException("the client sent data before the TLS handshake");
            var ssl = new SslStream(_stream, false);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stop);
            _stream = ssl;
        }

        public async Task DrainUntilClosedAsync()
        {
            try
            {
                while (await FillAsync()) { }
            }
            catch (IOException) { }
            catch (ObjectDisposedException) { }
            catch (OperationCanceledException) { }
        }

        public void Close()
        {
            if (_closed) return;
            _closed = true;
            try { _stream.Dispose(); } catch (IOException) { }
            client.Dispose();
        }

        private async Task<bool> FillAsync()
        {
            if (_closed) return false;
            var buffer = new byte[16 * 1024];
            int read;
            try { read = await _stream.ReadAsync(buffer, stop); }
            catch (IOException) { return false; }
            if (read == 0) return false;
            lock (received) received.Write(buffer, 0, read);
            _pending.AddRange(buffer.AsSpan(0, read));
            return true;
        }

        private static int IndexOf(List<byte> haystack, byte[] needle, int from)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(haystack)[from..];
            var index = span.IndexOf(needle);
            return index < 0 ? -1 : index + from;
        }
    }
}
