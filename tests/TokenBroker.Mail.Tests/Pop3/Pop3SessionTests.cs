using System.Text;
using TokenBroker.Mail.Pop3;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tests.Support;
using static TokenBroker.Mail.Tests.Pop3.Pop3Transcript;

namespace TokenBroker.Mail.Tests.Pop3;

public class Pop3SessionTests
{
    private const string Blob = "user=a@example.com\u0001auth=Bearer token-value\u0001\u0001";
    private static readonly string Base64Blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(Blob));
    private const string JsonChallenge = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}";

    [Fact]
    public async Task A_negative_greeting_is_a_protocol_error_carrying_it()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => StartAsync(Lines("-ERR [SYS/TEMP] Too many connections")));
        Assert.Contains("-ERR [SYS/TEMP] Too many connections", error.Message);
    }

    [Fact]
    public async Task Capa_reads_the_capability_lines()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "+OK", "CAPA", "TOP", "UIDL", "STLS", "SASL XOAUTH2 OAUTHBEARER", "."));
        await client.CapaAsync(TestContext.Current.CancellationToken);
        Assert.Equal("CAPA\r\n", transport.Written);
        Assert.True(client.HasCapability("STLS"));
        Assert.True(client.SupportsMechanism("OAUTHBEARER"));
        Assert.False(client.SupportsMechanism("PLAIN"));
    }

    [Fact]
    public async Task Connecting_to_pop3_upgrades_with_Stls_then_reads_capa_again()
    {
        await using var server = ScriptedServer.Start(s => s
            .Send("+OK Dovecot ready.\r\n")
            .Expect("CAPA").Send("+OK\r\nSTLS\r\nUIDL\r\n.\r\n")
            .Expect("STLS").Send("+OK Begin TLS negotiation\r\n")
            .StartTls()
            .Expect("CAPA").Send("+OK\r\nUIDL\r\nSASL XOAUTH2 OAUTHBEARER\r\n.\r\n"));

        await using var client = await Pop3Client.ConnectAsync(server.Endpoint("pop3"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        Assert.True(client.IsEncrypted);
        Assert.False(client.HasCapability("STLS"));
        Assert.True(client.SupportsMechanism("XOAUTH2"));
    }

    [Fact]
    public async Task Stls_is_refused_when_not_offered_rather_than_continuing_in_clear()
    {
        await using var server = ScriptedServer.Start(s => s
            .Send("+OK ready\r\n").Expect("CAPA").Send("+OK\r\nUIDL\r\nSASL XOAUTH2\r\n.\r\n"));

        var error = await Assert.ThrowsAsync<MailCommandException>(() =>
            Pop3Client.ConnectAsync(server.Endpoint("pop3"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken));

        Assert.Contains("does not offer STLS", error.Message);
        Assert.Equal("CAPA\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_server_without_capa_still_gets_stls_tried_and_used()
    {
        await using var server = ScriptedServer.Start(s => s
            .Send("+OK POP3 server ready\r\n")
            .Expect("CAPA").Send("-ERR unknown command\r\n")
            .Expect("STLS").Send("+OK go ahead\r\n")
            .StartTls()
            .Expect("CAPA").Send("-ERR unknown command\r\n"));

        await using var client = await Pop3Client.ConnectAsync(server.Endpoint("pop3"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        Assert.True(client.IsEncrypted);
        Assert.False(client.CapabilitiesKnown);
    }

    [Fact]
    public async Task Auth_always_waits_for_the_prompt_before_sending_the_initial_response()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "+ ", "+OK Logged in."));
        await client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken);
        Assert.Equal($"AUTH XOAUTH2\r\n{Base64Blob}\r\n", transport.Written);
        Assert.True(client.IsAuthenticated);
        Assert.DoesNotContain(Base64Blob, transport.Log);
    }

    [Fact]
    public async Task Auth_failure_with_a_json_challenge_is_answered_then_reported_with_reply_and_challenge()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "+ ",
            "+ " + Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonChallenge)),
            "-ERR [AUTH] Authentication failed."));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));

        Assert.Equal($"AUTH XOAUTH2\r\n{Base64Blob}\r\n\r\n", transport.Written);
        Assert.Equal("-ERR [AUTH] Authentication failed.", error.ServerReply);
        Assert.Equal(JsonChallenge, error.SaslServerError?.RawJson);
    }

    [Fact]
    public async Task Auth_failure_without_challenge_is_reported_directly()
    {
        var (client, _) = await StartAsync(Lines("+OK The Microsoft Exchange POP3 service is ready.", "+ ",
            "-ERR Authentication failure: unknown user name or bad password."));
        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));
        Assert.Equal("-ERR Authentication failure: unknown user name or bad password.", error.ServerReply);
        Assert.Null(error.SaslServerError?.RawJson);
    }

    [Fact]
    public async Task Auth_refuses_to_run_without_tls()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting), encrypted: false);
        await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));
        Assert.Equal("", transport.Written);
    }

    [Fact]
    public async Task Stat_uidl_and_list_are_parsed()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "+OK 2 320",
            "+OK", "1 000000014f1a2b3c", "2 000000024f1a2b3c", ".",
            "+OK 2 000000024f1a2b3c",
            "+OK 2 messages", "1 120", "2 200", ".",
            "+OK 2 200"));

        var status = await client.StatAsync(TestContext.Current.CancellationToken);
        var all = await client.UidlAsync(TestContext.Current.CancellationToken);
        var one = await client.UidlAsync(2, TestContext.Current.CancellationToken);
        var sizes = await client.ListAsync(TestContext.Current.CancellationToken);
        var size = await client.ListAsync(2, TestContext.Current.CancellationToken);

        Assert.Equal("STAT\r\nUIDL\r\nUIDL 2\r\nLIST\r\nLIST 2\r\n", transport.Written);
        Assert.Equal(new(2, 320), status);
        Assert.Equal([new(1, "000000014f1a2b3c"), new(2, "000000024f1a2b3c")], all);
        Assert.Equal(new(2, "000000024f1a2b3c"), one);
        Assert.Equal([new(1, 120), new(2, 200)], sizes);
        Assert.Equal(new(2, 200), size);
    }

    [Fact]
    public async Task Retr_streams_the_message_removing_stuffed_dots()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "+OK 60 octets", "Subject: dots", "", "..leading dot", "...", "..", "end", "."));
        var destination = new MemoryStream();

        var written = await client.RetrAsync(1, destination, TestContext.Current.CancellationToken);

        Assert.Equal("RETR 1\r\n", transport.Written);
        Assert.Equal("Subject: dots\r\n\r\n.leading dot\r\n..\r\n.\r\nend\r\n", Encoding.ASCII.GetString(destination.ToArray()));
        Assert.Equal(destination.Length, written);
    }

    [Fact]
    public async Task A_connection_dropped_in_the_middle_of_retr_is_a_protocol_error()
    {
        var (client, _) = await StartAsync(DovecotGreeting + "\r\n+OK\r\nSubject: x\r\n\r\nhalf a li");
        await Assert.ThrowsAsync<MailProtocolException>(() => client.RetrAsync(1, new MemoryStream(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Dele_rset_noop_and_quit_send_their_commands()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "+OK Marked to be deleted.", "+OK", "+OK", "+OK Logging out, messages deleted."));
        await client.DeleAsync(3, TestContext.Current.CancellationToken);
        await client.RsetAsync(TestContext.Current.CancellationToken);
        await client.NoopAsync(TestContext.Current.CancellationToken);
        await client.QuitAsync(TestContext.Current.CancellationToken);
        Assert.Equal("DELE 3\r\nRSET\r\nNOOP\r\nQUIT\r\n", transport.Written);
    }

    [Fact]
    public async Task An_err_reply_is_a_command_error_carrying_it()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "-ERR There's no message 9."));
        var error = await Assert.ThrowsAsync<MailCommandException>(() => client.DeleAsync(9, TestContext.Current.CancellationToken));
        Assert.Equal("-ERR There's no message 9.", error.ServerReply);
    }

    [Fact]
    public async Task A_reply_that_is_neither_ok_nor_err_is_a_protocol_error()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "* OK imap?"));
        await Assert.ThrowsAsync<MailProtocolException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_destination_that_throws_mid_retr_leaves_the_session_unusable_rather_than_misaligned()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "+OK", "Subject: x", "", "body", ".", "+OK"));

        await Assert.ThrowsAsync<NotSupportedException>(() => client.RetrAsync(1, new MemoryStream([], writable: false), TestContext.Current.CancellationToken));

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
        Assert.Contains("RETR 1 was interrupted", error.Message);
    }
}
