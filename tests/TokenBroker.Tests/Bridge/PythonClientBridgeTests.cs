using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// Python's own clients log in to the bridge with the mailbox address and their bridge secret (LOGIN or PLAIN), and the
/// bridge logs in to Dovecot with XOAUTH2 and the broker's token: mail sent arrives once, mail stored is read back.
/// </summary>
public sealed class PythonClientBridgeTests
{
    [Theory]
    [InlineData("starttls", "login")]
    [InlineData("implicit", "plain")]
    [InlineData("none", "login")]
    public async Task Smtplib_sends_through_the_bridge_and_the_message_arrives_once(string tls, string auth)
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-smtplib", tls);
        var mailbox = Maildir.UniqueAddress("app");
        var recipient = Maildir.UniqueAddress("rcpt");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("scanner", mailbox);

        var answer = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), tls, mailbox, secret, auth,
            mailbox, recipient, "Scan 1", $"<scan-1.{Guid.NewGuid():N}@scanner.test>");

        Assert.True(answer.Ok(), answer.Error());
        var delivered = await Maildir.For(recipient).WaitForMessagesAsync(1, cancellationToken: TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken); // a second copy would have arrived by now
        Assert.Single(Maildir.For(recipient).List());
        Assert.Equal("Scan 1", delivered[0].Header("Subject")?.Trim());
    }

    [Fact]
    public async Task Smtplib_gets_the_mail_servers_reply_to_the_message_unchanged()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-smtp-reply");
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("erp", mailbox);

        var answer = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), "starttls", mailbox, secret, "login",
            mailbox, Maildir.UniqueAddress("rcpt"), "Invoice", $"<inv.{Guid.NewGuid():N}@erp.test>");

        Assert.True(answer.Ok(), answer.Error());
        // Dovecot submission's own final reply, e.g. "250 2.0.0 <id> ... Message queued as 4Q...", passed on as it was.
        var reply = answer.GetProperty("replies")[0].GetString()!;
        Assert.StartsWith("250 2.0.0 ", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("TokenBroker", reply, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("starttls", "login")]
    [InlineData("implicit", "plain")]
    public async Task Imaplib_reads_mail_through_the_bridge(string tls, string auth)
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-imaplib", tls);
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("helpdesk", mailbox);
        var messageId = $"<ticket.{Guid.NewGuid():N}@helpdesk.test>";
        var sent = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), tls, mailbox, secret, auth, mailbox, mailbox, "Ticket 7", messageId);
        Assert.True(sent.Ok(), sent.Error());
        await Maildir.For(mailbox).WaitForMessagesAsync(1, cancellationToken: TestContext.Current.CancellationToken);

        var answer = await PythonMailClient.RunAsync("imap-fetch", bridge.Port(MailProtocol.Imap), tls, mailbox, secret, auth, "Ticket 7");

        Assert.True(answer.Ok(), answer.Error());
        var message = Assert.Single(answer.GetProperty("messages").EnumerateArray());
        Assert.Equal(messageId, message.GetProperty("message_id").GetString());
    }

    [Theory]
    [InlineData("starttls", "login")]
    [InlineData("implicit", "plain")]
    public async Task Poplib_reads_mail_through_the_bridge(string tls, string auth)
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-poplib", tls);
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("fetcher", mailbox);
        var messageId = $"<pop.{Guid.NewGuid():N}@fetcher.test>";
        var sent = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), tls, mailbox, secret, auth, mailbox, mailbox, "Order 9", messageId);
        Assert.True(sent.Ok(), sent.Error());
        await Maildir.For(mailbox).WaitForMessagesAsync(1, cancellationToken: TestContext.Current.CancellationToken);

        var answer = await PythonMailClient.RunAsync("pop3-fetch", bridge.Port(MailProtocol.Pop3), tls, mailbox, secret, auth, "Order 9");

        Assert.True(answer.Ok(), answer.Error());
        var message = Assert.Single(answer.GetProperty("messages").EnumerateArray());
        Assert.Equal(messageId, message.GetProperty("message_id").GetString());
    }
}
