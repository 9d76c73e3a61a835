using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>The IMAP fetcher on MailKit against a scripted server: the commands it sends and the checkpoint rules.</summary>
public class ImapMailFetcherTranscriptTests
{
    private static ScriptedServer Examined(Func<ScriptedServer, ScriptedServer> rest) => ImapScript.Examined(rest);

    private static ImapMailFetcher Fetcher(ScriptedServer server) => ImapScript.Fetcher(server);

    [Fact]
    public async Task When_only_the_last_message_matches_n_star_nothing_is_fetched()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 8:* (UID RFC822.SIZE)").Send("* 3 FETCH (UID 7 RFC822.SIZE 5)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));
        var delivered = new List<string>();

        var result = await Fetcher(server).FetchAsync(new ImapCheckpoint("INBOX", 9, 7), (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(delivered);
        Assert.Equal(new ImapCheckpoint("INBOX", 9, 7), result.Checkpoint);
        Assert.Matches(@"UID FETCH 8:\* \(UID RFC822.SIZE\)\r\n[A-Z]\d+ LOGOUT\r\n$", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_message_expunged_between_listing_and_fetch_is_skipped_and_the_checkpoint_passes_it_with_its_flags_when_asked()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 6:* (UID FLAGS RFC822.SIZE)")
            .Send("* 2 FETCH (UID 6 FLAGS () RFC822.SIZE 5)\r\n* 3 FETCH (UID 7 FLAGS (\\Seen) RFC822.SIZE 5)\r\n")
            .SendTagged("OK Fetch completed.")
            .ExpectTagged("UID FETCH 6:7 (BODY.PEEK[])")
            .Send("* 2 EXPUNGE\r\n* 2 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));
        var delivered = new List<(string Id, string Body, string Flags)>();
        var checkpoints = new List<MailCheckpoint>();

        var result = await ImapScript.Fetcher(server, options: new MailFetchOptions { IncludeFlags = true }).FetchAsync(new ImapCheckpoint("INBOX", 9, 5), async (mail, token) =>
        {
            using var reader = new StreamReader(mail.Content);
            delivered.Add((mail.Id, await reader.ReadToEndAsync(token), string.Join(' ', mail.Flags)));
        }, (checkpoint, _) => { checkpoints.Add(checkpoint); return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken);

        Assert.Equal([("7", "hello", "\\Seen")], delivered);
        Assert.Equal([new ImapCheckpoint("INBOX", 9, 7)], checkpoints);
        Assert.Equal(1, result.DeliveredCount);
        Assert.False(result.UidValidityChanged);
        await server.ClientTextAsync();
    }

    private const string ThreeListed = "* 1 FETCH (UID 6 RFC822.SIZE 5)\r\n* 2 FETCH (UID 7 RFC822.SIZE 5)\r\n* 3 FETCH (UID 8 RFC822.SIZE 5)\r\n";

    [Fact]
    public async Task Without_an_after_fetch_action_one_UID_FETCH_asks_for_every_listed_message_whatever_the_batch_size()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 6:* (UID RFC822.SIZE)").Send(ThreeListed).SendTagged("OK Fetch completed.")
            .ExpectTagged("UID FETCH 6:8 (BODY.PEEK[])")
            .Send("* 1 FETCH (UID 6 BODY[] {5}\r\nmail6)\r\n* 2 FETCH (UID 7 BODY[] {5}\r\nmail7)\r\n* 3 FETCH (UID 8 BODY[] {5}\r\nmail8)\r\n")
            .SendTagged("OK Fetch completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));

        var result = await ImapScript.Fetcher(server, options: new MailFetchOptions { BatchSize = 2 })
            .FetchAsync(new ImapCheckpoint("INBOX", 9, 5), (_, _) => ValueTask.CompletedTask, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((3, new ImapCheckpoint("INBOX", 9, 8)), (result.DeliveredCount, result.Checkpoint));
        await server.ClientTextAsync();
    }

    [Fact]
    public async Task With_an_after_fetch_action_messages_are_fetched_and_marked_batch_by_batch()
    {
        await using var server = ImapScript.Selected(s => s
            .ExpectTagged("UID FETCH 6:* (UID RFC822.SIZE)").Send(ThreeListed).SendTagged("OK Fetch completed.")
            .ExpectTagged("UID FETCH 6:7 (BODY.PEEK[])")
            .Send("* 1 FETCH (UID 6 BODY[] {5}\r\nmail6)\r\n* 2 FETCH (UID 7 BODY[] {5}\r\nmail7)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("UID STORE 6:7 +FLAGS.SILENT (\\Seen)").SendTagged("OK Store completed.")
            .ExpectTagged("UID FETCH 8 (BODY.PEEK[])")
            .Send("* 3 FETCH (UID 8 BODY[] {5}\r\nmail8)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("UID STORE 8 +FLAGS.SILENT (\\Seen)").SendTagged("OK Store completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));

        var result = await ImapScript.Fetcher(server, options: new MailFetchOptions { BatchSize = 2, AfterFetch = AfterFetchAction.MarkSeen })
            .FetchAsync(new ImapCheckpoint("INBOX", 9, 5), (_, _) => ValueTask.CompletedTask, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((3, new ImapCheckpoint("INBOX", 9, 8)), (result.DeliveredCount, result.Checkpoint));
        await server.ClientTextAsync();
    }
}
