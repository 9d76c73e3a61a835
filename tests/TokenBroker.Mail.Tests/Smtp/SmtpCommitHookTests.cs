using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Smtp;

/// <summary>
/// The hook a caller uses to record "about to commit" (exactly-once sending): it runs after the whole message is
/// written and before the final "." or "BDAT … LAST", and when it fails nothing is committed.
/// </summary>
public class SmtpCommitHookTests
{
    private const string EhloWithChunking = "250-mail.test\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-SIZE 50000000\r\n250 AUTH XOAUTH2\r\n";

    private static MimeMessage Message() => new()
    {
        From = MailboxAddress.Parse("a@example.test"),
        To = { MailboxAddress.Parse("b@example.test") },
        Subject = "hook",
        TextBody = "body",
    };

    [Fact]
    public async Task The_hook_runs_once_and_the_message_is_then_committed()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").ReadUntil("\r\n.\r\n").Send("250 2.0.0 Ok: queued as 9\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));
        var calls = 0;

        var result = await client.SendAsync(Message(), _ => { calls++; return Task.CompletedTask; });

        Assert.Equal(1, calls);
        Assert.Equal("Ok: queued as 9", result.Reply.Text);
    }

    [Fact]
    public async Task A_failing_hook_drops_the_connection_before_the_final_dot()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().ReadLine().Send("250 Ok\r\n250 Ok\r\n")
            .Expect("DATA").Send("354 go\r\n").Hang());
        var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            client.SendAsync(Message(), _ => throw new IOException("ledger unavailable")));

        Assert.Equal("ledger unavailable", failure.Message);
        Assert.False(client.IsConnected);
        Assert.DoesNotContain("\r\n.\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_failing_hook_drops_the_connection_before_bdat_last()
    {
        await using var server = SmtpTestServer.Start(s => s.Hang(), EhloWithChunking);
        var client = await SmtpTestServer.ConnectAsync(server, TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<IOException>(() => client.SendAsync(Message(), _ => throw new IOException("ledger unavailable")));

        Assert.False(client.IsConnected);
        Assert.DoesNotContain("BDAT", await server.ClientTextAsync());
    }
}
