using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>The IMAP fetch facade against a scripted server: the exact commands and the checkpoint rules.</summary>
public class ImapMailFetcherTranscriptTests
{
    private const string Greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 MOVE UIDPLUS LITERAL+] ready\r\n";
    private const string Selected = "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] UIDs valid\r\n* OK [UIDNEXT 8] next\r\nA2 OK [READ-ONLY] Examine completed.\r\n";

    private static ScriptedServer LoggedIn(Func<ScriptedServer, ScriptedServer> rest) => ScriptedServer.Start(s => rest(s.StartTls()
        .Send(Greeting)
        .ReadLine().Send("A1 OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS LITERAL+] Logged in\r\n")
        .Expect("A2 EXAMINE INBOX").Send(Selected)));

    [Fact]
    public async Task When_only_the_last_message_matches_n_star_nothing_is_fetched()
    {
        await using var server = LoggedIn(s => s
            .Expect("A3 UID FETCH 8:* (UID)").Send("* 3 FETCH (UID 7)\r\nA3 OK Fetch completed.\r\n")
            .Expect("A4 LOGOUT").Send("* BYE Logging out\r\nA4 OK Logout completed.\r\n"));
        var fetcher = new ImapMailFetcher(server.Endpoint("imaps"), ScriptedServer.ClientOptions(), new MailLogin("a@example.com", "token"));
        var delivered = new List<string>();

        var result = await fetcher.FetchAsync(new ImapCheckpoint("INBOX", 9, 7), (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(delivered);
        Assert.Equal(new ImapCheckpoint("INBOX", 9, 7), result.Checkpoint);
        Assert.EndsWith("A3 UID FETCH 8:* (UID)\r\nA4 LOGOUT\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_message_expunged_between_listing_and_fetch_is_skipped_and_the_checkpoint_passes_it()
    {
        await using var server = LoggedIn(s => s
            .Expect("A3 UID FETCH 6:* (UID)").Send("* 2 FETCH (UID 6)\r\n* 3 FETCH (UID 7)\r\nA3 OK Fetch completed.\r\n")
            .Expect("A4 UID FETCH 6:7 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
            .Send("* 2 EXPUNGE\r\n* 2 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 5 BODY[] {5}\r\nhello)\r\nA4 OK Fetch completed.\r\n")
            .Expect("A5 LOGOUT").Send("* BYE Logging out\r\nA5 OK Logout completed.\r\n"));
        var fetcher = new ImapMailFetcher(server.Endpoint("imaps"), ScriptedServer.ClientOptions(), new MailLogin("a@example.com", "token"));
        var delivered = new List<(string Id, string Body)>();
        var checkpoints = new List<MailCheckpoint>();

        var result = await fetcher.FetchAsync(new ImapCheckpoint("INBOX", 9, 5), async (mail, token) =>
        {
            using var reader = new StreamReader(mail.Content);
            delivered.Add((mail.Id, await reader.ReadToEndAsync(token)));
        }, (checkpoint, _) => { checkpoints.Add(checkpoint); return ValueTask.CompletedTask; }, TestContext.Current.CancellationToken);

        Assert.Equal([("7", "hello")], delivered);
        Assert.Equal([new ImapCheckpoint("INBOX", 9, 7)], checkpoints);
        Assert.Equal(1, result.DeliveredCount);
        Assert.False(result.UidValidityChanged);
    }
}
