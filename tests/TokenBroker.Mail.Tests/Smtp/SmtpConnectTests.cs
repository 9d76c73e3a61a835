using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Smtp;

public class SmtpConnectTests
{
    [Fact]
    public async Task Ehlo_capabilities_are_read()
    {
        await using var server = SmtpTestServer.Start(_ => { });
        await using var client = await SmtpTestServer.ConnectAsync(server);

        Assert.True(client.Capabilities.Pipelining);
        Assert.True(client.Capabilities.EightBitMime);
        Assert.Equal(10_000_000, client.Capabilities.MaxMessageSize);
        Assert.Equal(["OAUTHBEARER", "XOAUTH2"], client.Capabilities.AuthMechanisms.Order());
    }

    [Fact]
    public async Task Helo_is_used_when_the_server_does_not_know_ehlo()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls().Send("220 old.test SMTP\r\n")
            .Expect("EHLO localhost").Send("500 5.5.1 Command unrecognized\r\n")
            .Expect("HELO localhost").Send("250 old.test\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            Assert.False(client.Capabilities.Pipelining);
        }

        Assert.Equal("EHLO localhost\r\nHELO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Starttls_is_followed_by_a_second_ehlo_whose_capabilities_replace_the_first()
    {
        await using var server = ScriptedServer.Start(s => s.Send("220 mail.test ESMTP\r\n")
            .Expect("EHLO localhost").Send("250-mail.test\r\n250 STARTTLS\r\n")
            .Expect("STARTTLS").Send("220 2.0.0 Ready to start TLS\r\n").StartTls()
            .Expect("EHLO localhost").Send("250-mail.test\r\n250 AUTH XOAUTH2\r\n"));
        await using (var client = new SmtpClient(ScriptedServer.ClientOptions()))
        {
            await client.ConnectAsync(server.Endpoint("smtp"));

            Assert.True(client.IsEncrypted);
            Assert.False(client.Capabilities.StartTls);
            Assert.Contains("XOAUTH2", client.Capabilities.AuthMechanisms);
        }

        Assert.Equal("EHLO localhost\r\nSTARTTLS\r\nEHLO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_server_without_starttls_on_smtp_is_refused()
    {
        await using var server = ScriptedServer.Start(s => s.Send("220 mail.test ESMTP\r\n")
            .Expect("EHLO localhost").Send("250-mail.test\r\n250 AUTH XOAUTH2\r\n"));
        await using var client = new SmtpClient(ScriptedServer.ClientOptions());

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => client.ConnectAsync(server.Endpoint("smtp")));

        Assert.Contains("does not offer STARTTLS", error.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Exchange_concurrent_connection_limit_at_greeting_is_a_transient_refusal_with_an_explanation()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls().Send("432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information.\r\n"));
        await using var client = new SmtpClient(ScriptedServer.ClientOptions());

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => client.ConnectAsync(server.Endpoint("smtps")));

        Assert.Equal(SmtpStep.Connect, error.Step);
        Assert.True(error.IsTransient);
        Assert.Equal("4.3.2", error.EnhancedStatus);
        Assert.Contains("3 concurrent SMTP connections per mailbox", error.Explanation);
    }

    [Fact]
    public async Task Noop_checks_the_connection_and_quit_ends_it()
    {
        await using var server = SmtpTestServer.Start(s => s.Expect("NOOP").Send("250 2.0.0 OK\r\n").Expect("QUIT").Send("221 2.0.0 Bye\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        await client.NoOpAsync();
        await client.QuitAsync();

        Assert.False(client.IsConnected);
        Assert.Equal("EHLO localhost\r\nNOOP\r\nQUIT\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Quit_tolerates_a_server_that_hangs_up_without_replying()
    {
        await using var server = SmtpTestServer.Start(s => s.Expect("QUIT").Close());
        await using var client = await SmtpTestServer.ConnectAsync(server);

        await client.QuitAsync();

        Assert.False(client.IsConnected);
    }
}
