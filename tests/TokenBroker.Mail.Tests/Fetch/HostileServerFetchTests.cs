using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>
/// A hostile or broken POP3 server against the fetcher (scripted): more bytes than announced, a trickle of one
/// byte every second or two, silence, a dropped connection. Each ends with a sentence naming the limit, within the
/// limits, with memory bounded (measured process-wide, so the class runs alone).
/// </summary>
[Collection(MemoryMeasuredCollection.Name)]
public class HostileServerFetchTests
{
    /// <summary>What the flooding server offers: far more than any allowance, generated on the fly.</summary>
    private const long FloodBytes = 300L * 1024 * 1024;

    private const long SmallCap = 64 * 1024;

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

    private static Task<MailFetchResult> FetchAsync(ScriptedServer server, TimeSpan commandTimeout, TimeSpan runTimeout, List<string> delivered, long maxMessageBytes = SmallCap) =>
        new Pop3MailFetcher(server.Endpoint("pop3s"), ScriptedServer.ClientOptions(commandTimeout), new MailLogin("a@example.com", "token"),
                new MailFetchOptions { RunTimeout = runTimeout, MaxMessageBytes = maxMessageBytes })
            .FetchAsync(null, (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; }, cancellationToken: Cancel);

    [Fact]
    public async Task A_message_listed_as_100_bytes_but_streamed_as_hundreds_of_megabytes_is_cut_off_with_memory_bounded()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\n").Flood(FloodBytes));
        var endpoint = server.Endpoint("pop3s").ToString();
        var delivered = new List<string>();
        var memory = new MemoryProbe();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), delivered));

        TestContext.Current.TestOutputHelper?.WriteLine($"allocated {memory.AllocatedBytes:N0} B, working set +{memory.WorkingSetGrowth:N0} B, {started.Elapsed.TotalSeconds:0.0} s");
        Assert.StartsWith($"{endpoint} sent more than", error.Message);
        Assert.Contains("for RETR 1", error.Message);
        Assert.Contains($"MaxMessageBytes = {SmallCap}", error.Message);
        Assert.Empty(delivered);
        Assert.InRange(memory.AllocatedBytes, 0, FloodBytes / 10);
        Assert.InRange(memory.WorkingSetGrowth, long.MinValue, FloodBytes / 3);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_message_listed_as_100_bytes_but_sent_whole_over_the_cap_is_refused_as_too_large()
    {
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\n").Flood(4 * SmallCap).Send(".\r\n").Hang());
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailMessageTooLargeException>(() => FetchAsync(server, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), delivered));

        Assert.Contains($"over the limit of {SmallCap} bytes (MaxMessageBytes); LIST announced 100 bytes; it was read but not delivered", error.Message);
        Assert.Equal("uid-1", error.MessageId);
        Assert.Empty(delivered);
    }

    [Fact]
    public async Task A_server_trickling_one_byte_every_second_and_a_half_is_stopped_by_the_run_deadline()
    {
        // Each byte comes before the 2 s read timeout, so only the run's deadline can end this.
        await using var server = UpToRetr(s => s.Send("+OK 100 octets\r\n").Trickle(new string('y', 1000), TimeSpan.FromSeconds(1.5)));
        var delivered = new List<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), delivered));

        Assert.Contains("did not finish within 4 s (RunTimeout); it stopped during RETR 1", error.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(9));
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
