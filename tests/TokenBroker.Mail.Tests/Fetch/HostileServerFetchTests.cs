using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>
/// A hostile or broken POP3 server against the fetcher (scripted): more bytes than announced, a trickle of one
/// byte at a time, silence, a dropped connection. Each ends with a sentence naming the limit, within the limits.
/// </summary>
public class HostileServerFetchTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Greeting, CAPA, AUTH after the prompt, MailKit's CAPA and STAT, UIDL, LIST announcing 100 bytes, then RETR.</summary>
    private static ScriptedServer UpToRetr(Func<ScriptedServer, ScriptedServer> retr) => ScriptedServer.Start(s => retr(s.StartTls()
        .Send("+OK ready\r\n")
        .Expect("CAPA").Send("+OK\r\nSASL XOAUTH2\r\nUIDL\r\n.\r\n")
        .Expect("AUTH XOAUTH2").Send("+ \r\n").ReadLine().Send("+OK Logged in.\r\n")
        .Expect("CAPA").Send("+OK\r\nSASL XOAUTH2\r\nUIDL\r\n.\r\n")
        .Expect("STAT").Send("+OK 1 100\r\n")
        .Expect("UIDL").Send("+OK\r\n1 uid-1\r\n.\r\n")
        .Expect("LIST").Send("+OK\r\n1 100\r\n.\r\n")
        .Expect("RETR 1")));

    private static Task<MailFetchResult> FetchAsync(ScriptedServer server, TimeSpan commandTimeout, TimeSpan runTimeout, List<string> delivered) =>
        new Pop3MailFetcher(server.Endpoint("pop3s"), ScriptedServer.ClientOptions(commandTimeout), new MailLogin("a@example.com", "token"),
                new MailFetchOptions { RunTimeout = runTimeout })
            .FetchAsync(null, (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; }, cancellationToken: Cancel);

    [Fact]
    public async Task A_message_announced_as_100_bytes_but_sent_as_megabytes_is_cut_off_and_not_delivered()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\n").Flood(8L * 1024 * 1024));
        var endpoint = server.Endpoint("pop3s").ToString();
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), delivered));

        Assert.StartsWith($"{endpoint} sent more than", error.Message);
        Assert.Contains("sent more than", error.Message);
        Assert.Contains("for RETR 1", error.Message);
        Assert.Empty(delivered);
    }

    [Fact]
    public async Task A_server_trickling_one_byte_at_a_time_is_stopped_by_the_run_deadline()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\n").Trickle(new string('y', 1000), TimeSpan.FromMilliseconds(200)));
        var delivered = new List<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), delivered));

        Assert.Contains("did not finish within 3 s (RunTimeout); it stopped during RETR 1", error.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(8));
        Assert.Empty(delivered);
    }

    [Fact]
    public async Task A_server_silent_in_the_middle_of_a_message_is_stopped_by_the_read_timeout()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\nSubject: half\r\n").Hang());
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), delivered));

        Assert.Contains("sent nothing for 1 s during RETR 1", error.Message);
        Assert.Empty(delivered);
    }

    [Fact]
    public async Task A_connection_closed_in_the_middle_of_a_message_is_a_protocol_error()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\nSubject: half\r\n").Close());
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), delivered));

        Assert.Contains("broke during RETR 1", error.Message);
        Assert.Empty(delivered);
    }
}
