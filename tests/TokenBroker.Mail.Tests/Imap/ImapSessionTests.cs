using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Tests.Support;
using static TokenBroker.Mail.Tests.Imap.ImapTranscript;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapSessionTests
{
    [Fact]
    public async Task The_greeting_capability_code_sets_the_capabilities()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting));
        Assert.True(client.HasCapability("SASL-IR"));
        Assert.True(client.HasCapability("auth=xoauth2"));
        Assert.Equal("Dovecot ready.", client.Greeting!.Text);
    }

    [Fact]
    public async Task A_BYE_greeting_is_a_protocol_error_carrying_it()
    {
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => StartAsync(Lines("* BYE Too many connections")));
        Assert.Contains("* BYE Too many connections", error.Message);
    }

    [Fact]
    public async Task Capability_sends_the_command_and_replaces_the_capabilities()
    {
        var (client, transport) = await StartAsync(Lines("* OK ready",
            "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
            "A1 OK Pre-login capabilities listed, post-login capabilities have more."));
        var capabilities = await client.CapabilityAsync(TestContext.Current.CancellationToken);
        Assert.Equal("A1 CAPABILITY\r\n", transport.Written);
        Assert.Equal(["IMAP4rev1", "STARTTLS", "LOGINDISABLED"], capabilities);
    }

    [Fact]
    public async Task Connecting_to_imap_upgrades_with_StartTls_then_asks_for_capabilities_again()
    {
        await using var server = ScriptedServer.Start(s => s
            .Send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n")
            .Expect("A1 STARTTLS").Send("A1 OK Begin TLS negotiation now.\r\n")
            .StartTls()
            .Expect("A2 CAPABILITY").Send("* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\nA2 OK done\r\n"));

        await using var client = await ImapClient.ConnectAsync(server.Endpoint("imap"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        Assert.True(client.IsEncrypted);
        Assert.False(client.HasCapability("STARTTLS"));
        Assert.True(client.HasCapability("AUTH=XOAUTH2"));
    }

    [Fact]
    public async Task Connecting_to_imaps_is_encrypted_from_the_start()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n"));

        await using var client = await ImapClient.ConnectAsync(server.Endpoint("imaps"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        Assert.True(client.IsEncrypted);
        Assert.True(client.HasCapability("SASL-IR"));
    }

    [Fact]
    public async Task StartTls_is_refused_when_not_offered_rather_than_continuing_in_clear()
    {
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready"), encrypted: false);
        var error = await Assert.ThrowsAsync<MailCommandException>(() => client.StartTlsAsync(TestContext.Current.CancellationToken));
        Assert.Contains("does not offer STARTTLS", error.Message);
        Assert.Equal("", transport.Written);
    }

    [Fact]
    public async Task Noop_collects_new_message_counts()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            "* 3 EXISTS", "A1 OK [READ-WRITE] Select completed.",
            "* 5 EXISTS", "* 1 RECENT", "A2 OK NOOP completed."));
        await client.SelectAsync("INBOX", cancellationToken: TestContext.Current.CancellationToken);
        await client.NoopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(5u, client.SelectedMailbox!.Exists);
    }

    [Fact]
    public async Task Logout_accepts_bye_then_ok()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "* BYE Logging out", "A1 OK Logout completed."));
        await client.LogoutAsync(TestContext.Current.CancellationToken);
        Assert.Equal("A1 LOGOUT\r\n", transport.Written);
    }

    [Fact]
    public async Task A_connection_closed_after_BYE_names_the_BYE()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "* BYE Server shutting down."));
        var error = await Assert.ThrowsAsync<MailProtocolException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Server shutting down.", error.Message);
    }

    [Fact]
    public async Task A_BAD_completion_is_a_command_error_carrying_the_reply()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "A1 BAD User is authenticated but not connected."));
        var error = await Assert.ThrowsAsync<MailCommandException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
        Assert.Equal("A1 BAD User is authenticated but not connected.", error.ServerReply);
    }

    [Fact]
    public async Task A_throttled_command_carries_the_suggested_backoff()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "A1 NO Request is throttled. Suggested Backoff Time: 31000 ms"));
        var error = await Assert.ThrowsAsync<MailThrottledException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
        Assert.Equal(TimeSpan.FromSeconds(31), error.SuggestedBackoff);
        Assert.Contains("Request is throttled", error.ServerReply);
    }

    [Fact]
    public async Task A_completion_for_another_tag_is_a_protocol_error()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "A9 OK what"));
        await Assert.ThrowsAsync<MailProtocolException>(() => client.NoopAsync(TestContext.Current.CancellationToken));
    }
}
