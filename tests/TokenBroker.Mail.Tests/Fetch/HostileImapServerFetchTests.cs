using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>
/// A hostile or broken IMAP server against the fetcher (scripted, TLS with the test CA): a FETCH literal announced far
/// over the size cap, one over the cap that still fits the protocol room, and a trickle inside a literal. Each ends with
/// a sentence naming the limit, within the limits, with memory bounded (measured process-wide, so the class runs alone).
/// </summary>
[Collection(MemoryMeasuredCollection.Name)]
public class HostileImapServerFetchTests
{
    private const long FloodBytes = 300L * 1024 * 1024;

    private const long SmallCap = 64 * 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Lists UID 1 as 100 bytes, then answers its BODY.PEEK[] with <paramref name="body"/>.</summary>
    private static ScriptedServer ListedAs100Bytes(Func<ScriptedServer, ScriptedServer> body) => ImapScript.Examined(s => body(s
        .ExpectTagged("UID FETCH 1:* (UID RFC822.SIZE)")
        .Send("* 1 FETCH (UID 1 RFC822.SIZE 100)\r\n").SendTagged("OK Fetch completed.")
        .ExpectTagged("UID FETCH 1 (BODY.PEEK[])")));

    private static Task<MailFetchResult> FetchAsync(ScriptedServer server, List<string> delivered, TimeSpan? commandTimeout = null, TimeSpan? runTimeout = null) =>
        ImapScript.Fetcher(server, commandTimeout, new MailFetchOptions { MaxMessageBytes = SmallCap, RunTimeout = runTimeout ?? TimeSpan.FromSeconds(60) })
            .FetchAsync(null, (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; }, cancellationToken: Cancel);

    [Fact]
    public async Task A_literal_announced_at_two_gigabytes_and_streamed_is_cut_off_with_memory_bounded()
    {
        await using var server = ListedAs100Bytes(s => s.Send("* 1 FETCH (UID 1 BODY[] {2000000000}\r\n").Flood(FloodBytes));
        var delivered = new List<string>();
        var memory = new MemoryProbe();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, delivered));

        TestContext.Current.TestOutputHelper?.WriteLine($"allocated {memory.AllocatedBytes:N0} B, working set +{memory.WorkingSetGrowth:N0} B, {started.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains("sent more than", error.Message);
        Assert.Contains("for UID FETCH 1 BODY.PEEK[]", error.Message);
        Assert.Contains($"MaxMessageBytes = {SmallCap}", error.Message);
        Assert.Empty(delivered);
        Assert.InRange(memory.AllocatedBytes, 0, FloodBytes / 10);
        Assert.InRange(memory.WorkingSetGrowth, long.MinValue, FloodBytes / 3);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_literal_over_the_cap_but_within_the_protocol_room_is_refused_as_too_large()
    {
        var literal = 4 * SmallCap;
        await using var server = ListedAs100Bytes(s => s.Send($"* 1 FETCH (UID 1 BODY[] {{{literal}}}\r\n").Flood(literal).Send(")\r\n").SendTagged("OK Fetch completed.").Hang());
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailMessageTooLargeException>(() => FetchAsync(server, delivered));

        Assert.Contains($"IMAP message UID 1 in \"INBOX\" is {literal} bytes, over the limit of {SmallCap} bytes (MaxMessageBytes)", error.Message);
        Assert.Empty(delivered);
    }

    [Fact]
    public async Task A_literal_trickled_one_byte_every_second_and_a_half_is_stopped_by_the_run_deadline()
    {
        // Each byte comes before the 2 s read timeout, so only the run's deadline can end this.
        await using var server = ListedAs100Bytes(s => s.Send("* 1 FETCH (UID 1 BODY[] {100}\r\n").Trickle(new string('y', 100), TimeSpan.FromSeconds(1.5)));
        var delivered = new List<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => FetchAsync(server, delivered, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)));

        Assert.Contains("did not finish within 4 s (RunTimeout); it stopped during UID FETCH 1 BODY.PEEK[]", error.Message);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(9));
        Assert.Empty(delivered);
    }
}
