using System.Text;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Net;

public class MailConnectionTests
{
    private static readonly MailEndpoint AnyEndpoint = MailEndpoint.Parse("smtps://localhost");

    private static MailConnection Over(string serverBytes, MailClientOptions? options = null) =>
        MailConnection.FromStream(new MemoryStream(Encoding.UTF8.GetBytes(serverBytes)), AnyEndpoint, options ?? new MailClientOptions(), isEncrypted: true);

    [Fact]
    public async Task Lines_end_at_crlf_or_bare_lf()
    {
        await using var connection = Over("one\r\ntwo\nthree\r\n");

        Assert.Equal("one", await connection.ReadLineAsync());
        Assert.Equal("two", await connection.ReadLineAsync());
        Assert.Equal("three", await connection.ReadLineAsync());
    }

    [Fact]
    public async Task Line_longer_than_the_read_buffer_but_within_the_limit_is_read_whole()
    {
        var longLine = new string('x', 40_000);
        await using var connection = Over(longLine + "\r\nnext\r\n");

        Assert.Equal(longLine, await connection.ReadLineAsync());
        Assert.Equal("next", await connection.ReadLineAsync());
    }

    [Fact]
    public async Task Line_over_the_maximum_length_breaks_the_connection()
    {
        await using var connection = Over(new string('x', 5000) + "\r\n", new MailClientOptions { MaxLineLength = 1000 });

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => connection.ReadLineAsync());

        Assert.Contains("longer than 1000 bytes", error.Message);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task End_of_stream_is_reported_as_the_server_closing_the_connection()
    {
        await using var connection = Over("250 ok\r\n250-partial");

        await connection.ReadLineAsync();
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => connection.ReadLineAsync());

        Assert.Contains("the server closed the connection", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("250-partial", error.ReceivedText);
    }

    [Fact]
    public async Task Reads_exactly_the_announced_bytes_then_the_following_line()
    {
        await using var connection = Over("0123456789rest\r\n");
        var literal = new byte[10];

        await connection.ReadExactlyAsync(literal);

        Assert.Equal("0123456789", Encoding.ASCII.GetString(literal));
        Assert.Equal("rest", await connection.ReadLineAsync());
    }

    [Fact]
    public async Task Streams_a_large_literal_to_a_destination()
    {
        var body = new string('b', 100_000);
        await using var connection = Over(body + ")\r\n");
        using var destination = new MemoryStream();

        await connection.CopyExactlyToAsync(destination, body.Length);

        Assert.Equal(body, Encoding.ASCII.GetString(destination.ToArray()));
        Assert.Equal(")", await connection.ReadLineAsync());
    }

    [Fact]
    public async Task Literal_cut_short_by_the_server_is_a_protocol_error()
    {
        await using var connection = Over("only-a-few");

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => connection.ReadExactlyAsync(new byte[100]));

        Assert.Contains("10 bytes into 100 announced bytes", error.Message);
    }

    [Fact]
    public async Task A_silent_server_times_out_with_the_configured_timeout()
    {
        var clock = new ManualTimeProvider();
        var options = new MailClientOptions { CommandTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock };
        await using var connection = MailConnection.FromStream(new SilentStream(), AnyEndpoint, options, isEncrypted: true);

        var reading = connection.ReadLineAsync();
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(reading.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("timed out waiting for the server after 30 s", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(connection.IsUsable);
    }

    [Fact]
    public async Task Secret_lines_reach_the_wire_but_not_the_protocol_log()
    {
        var log = new RecordingLog();
        var wire = new MemoryStream();
        await using var connection = MailConnection.FromStream(wire, AnyEndpoint, new MailClientOptions { ProtocolLog = log }, isEncrypted: true);

        await connection.WriteSecretLineAsync("AUTH XOAUTH2 ", "c2VjcmV0LXRva2Vu");

        Assert.Equal("AUTH XOAUTH2 c2VjcmV0LXRva2Vu\r\n", Encoding.ASCII.GetString(wire.ToArray()));
        Assert.Equal(["C: AUTH XOAUTH2 <redacted 16 characters>"], log.Lines);
    }

    [Fact]
    public async Task A_command_containing_a_line_break_is_refused()
    {
        await using var connection = MailConnection.FromStream(new MemoryStream(), AnyEndpoint, new MailClientOptions(), isEncrypted: true);

        Assert.Throws<ArgumentException>(() => connection.QueueLine("MAIL FROM:<a@b>\r\nRCPT TO:<evil@example.com>"));
    }

    [Fact]
    public async Task Credentials_are_refused_on_an_unencrypted_connection()
    {
        await using var connection = MailConnection.FromStream(new MemoryStream(), MailEndpoint.Parse("smtp://localhost"), new MailClientOptions(), isEncrypted: false);

        var error = Assert.Throws<MailAuthenticationException>(() => connection.EnsureEncryptedForAuthentication("XOAUTH2"));

        Assert.Contains("unencrypted", error.Message);
    }

    [Fact]
    public async Task Starttls_upgrades_the_connection_when_the_certificate_chains_to_the_extra_root()
    {
        await using var server = ScriptedServer.Start(s => s.Send("220 hello\r\n").Expect("STARTTLS").Send("220 go\r\n").StartTls().Expect("NOOP").Send("250 fine\r\n"));
        await using var connection = await MailConnection.ConnectAsync(server.Endpoint("smtp"), ScriptedServer.ClientOptions());

        await connection.ReadLineAsync();
        await connection.WriteLineAsync("STARTTLS");
        await connection.ReadLineAsync();
        await connection.StartTlsAsync();
        await connection.WriteLineAsync("NOOP");

        Assert.Equal("250 fine", await connection.ReadLineAsync());
        Assert.True(connection.IsEncrypted);
    }

    [Fact]
    public async Task Implicit_tls_is_established_on_connect()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls().Send("220 secure\r\n"));
        await using var connection = await MailConnection.ConnectAsync(server.Endpoint("smtps"), ScriptedServer.ClientOptions());

        Assert.True(connection.IsEncrypted);
        Assert.Equal("220 secure", await connection.ReadLineAsync());
    }

    [Fact]
    public async Task Certificate_from_an_untrusted_ca_fails_the_handshake()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls());
        var options = ScriptedServer.ClientOptions();
        options.ExtraTrustedRoots = [ScriptedServerCertificates.UnrelatedCertificateAuthority];

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => MailConnection.ConnectAsync(server.Endpoint("smtps"), options));

        Assert.Contains("does not chain to a trusted root", error.Message);
    }

    [Fact]
    public async Task Certificate_for_another_name_fails_even_when_its_ca_is_trusted()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls(ScriptedServerCertificates.ServerForAnotherName));

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => MailConnection.ConnectAsync(server.Endpoint("smtps"), ScriptedServer.ClientOptions()));

        Assert.Contains("do not match the host", error.Message);
    }

    [Fact]
    public async Task Pinning_to_the_extra_root_refuses_a_certificate_from_another_ca()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls());
        var options = ScriptedServer.ClientOptions();
        options.ExtraTrustedRoots = [ScriptedServerCertificates.UnrelatedCertificateAuthority];
        options.TrustSystemRoots = false;

        await Assert.ThrowsAsync<MailProtocolException>(() => MailConnection.ConnectAsync(server.Endpoint("smtps"), options));
    }

    [Fact]
    public async Task Plaintext_sent_ahead_of_the_tls_handshake_is_refused()
    {
        // One write: the injected reply arrives in the same read as the STARTTLS go-ahead.
        await using var server = ScriptedServer.Start(s => s.Send("220 hello\r\n").Expect("STARTTLS").Send("220 go\r\n250 injected\r\n").Hang());
        await using var connection = await MailConnection.ConnectAsync(server.Endpoint("smtp"), ScriptedServer.ClientOptions());
        await connection.ReadLineAsync();
        await connection.WriteLineAsync("STARTTLS");
        await connection.ReadLineAsync();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => connection.StartTlsAsync());

        Assert.Contains("before the TLS handshake", error.Message);
    }

    private sealed class RecordingLog : IMailProtocolLog
    {
        public List<string> Lines { get; } = [];
        public void Log(MailLogDirection direction, string line)
        {
            if (direction != MailLogDirection.Info)
                Lines.Add((direction == MailLogDirection.Client ? "C: " : "S: ") + line);
        }
    }

    private sealed class SilentStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
    }
}
