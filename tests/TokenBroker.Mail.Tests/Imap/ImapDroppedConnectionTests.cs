using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Tests.Support;
using TokenBroker.Testing;

namespace TokenBroker.Mail.Tests.Imap;

/// <summary>A server that closes or goes silent in the middle of a message body: a clear error, never a hang.</summary>
public class ImapDroppedConnectionTests
{
    private const string FetchStart = "* 1 FETCH (UID 1 RFC822.SIZE 100000 BODY[] {100000}\r\n";

    [Fact]
    public async Task Imap_closed_in_the_middle_of_a_fetch_literal_is_a_protocol_error()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send(ImapTranscript.DovecotGreeting + "\r\n")
            .Expect("A1 UID FETCH 1 (UID BODY.PEEK[])")
            .Send(FetchStart + new string('x', 40_000)).Close());
        await using var client = await ImapClient.ConnectAsync(server.Endpoint("imaps"), ScriptedServer.ClientOptions(), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<MailProtocolException>(() =>
            client.UidFetchAsync("1", ImapFetchItems.Body, (_, _) => ValueTask.CompletedTask, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("closed the connection", error.Message);
    }

    [Fact]
    public async Task Imap_silent_in_the_middle_of_a_fetch_literal_times_out_with_a_protocol_error()
    {
        var clock = new ManualTimeProvider();
        var options = ScriptedServer.ClientOptions(TimeSpan.FromSeconds(30));
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send(ImapTranscript.DovecotGreeting + "\r\n")
            .Expect("A1 UID FETCH 1 (UID BODY.PEEK[])")
            .Send(FetchStart + new string('x', 40_000)).Hang());
        await using var client = await ImapClient.ConnectAsync(server.Endpoint("imaps"), options, TestContext.Current.CancellationToken);
        options.TimeProvider = clock;

        var fetch = client.UidFetchAsync("1", ImapFetchItems.Body, (_, _) => ValueTask.CompletedTask, cancellationToken: TestContext.Current.CancellationToken);
        await AdvanceUntilCompletedAsync(clock, fetch, options.CommandTimeout);

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => fetch);
        Assert.Contains("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Moves the clock past the command timeout until the client gives up (it must be waiting on a read first).</summary>
    internal static async Task AdvanceUntilCompletedAsync(ManualTimeProvider clock, Task task, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.WhenAny(task, Task.Delay(50, TestContext.Current.CancellationToken));
            clock.Advance(timeout);
        }
        Assert.True(task.IsCompleted, "the client did not give up after its command timeout");
    }
}
