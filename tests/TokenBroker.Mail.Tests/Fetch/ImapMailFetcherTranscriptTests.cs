using System.Text;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Fetch;

/// <summary>The IMAP fetcher on MailKit against a scripted server: the commands it sends and the checkpoint rules.</summary>
public class ImapMailFetcherTranscriptTests
{
    private const string Greeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 MOVE UIDPLUS LITERAL+] ready\r\n";

    private static readonly string Blob = Convert.ToBase64String(Encoding.ASCII.GetBytes("user=a@example.com\u0001auth=Bearer token\u0001\u0001"));

    /// <summary>Login with SASL-IR, MailKit's LISTs (hierarchy delimiter, INBOX), then EXAMINE of a folder with UIDVALIDITY 9.</summary>
    private static ScriptedServer Examined(Func<ScriptedServer, ScriptedServer> rest) => ScriptedServer.Start(s => rest(s.StartTls()
        .Send(Greeting)
        .ExpectTagged("AUTHENTICATE XOAUTH2 " + Blob).SendTagged("OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS LITERAL+] Logged in")
        .ExpectTagged("LIST \"\" \"\"").Send("* LIST (\\Noselect) \"/\" \"\"\r\n").SendTagged("OK List completed.")
        .ExpectTagged("LIST \"\" \"INBOX\"").Send("* LIST (\\HasNoChildren) \"/\" INBOX\r\n").SendTagged("OK List completed.")
        .ExpectTagged("EXAMINE INBOX").Send("* 3 EXISTS\r\n* OK [UIDVALIDITY 9] UIDs valid\r\n* OK [UIDNEXT 8] next\r\n").SendTagged("OK [READ-ONLY] Examine completed.")));

    private static ImapMailFetcher Fetcher(ScriptedServer server) =>
        new(server.Endpoint("imaps"), ScriptedServer.ClientOptions(TimeSpan.FromSeconds(5)), new MailLogin("a@example.com", "token"));

    [Fact]
    public async Task When_only_the_last_message_matches_n_star_nothing_is_fetched()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 8:* (UID FLAGS INTERNALDATE RFC822.SIZE)").Send("* 3 FETCH (UID 7 FLAGS () INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 5)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));
        var delivered = new List<string>();

        var result = await Fetcher(server).FetchAsync(new ImapCheckpoint("INBOX", 9, 7), (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(delivered);
        Assert.Equal(new ImapCheckpoint("INBOX", 9, 7), result.Checkpoint);
        Assert.Matches(@"UID FETCH 8:\* \(UID FLAGS INTERNALDATE RFC822.SIZE\)\r\n[A-Z]\d+ LOGOUT\r\n$", await server.ClientTextAsync());
    }

    [Fact]
    public async Task A_message_expunged_between_listing_and_fetch_is_skipped_and_the_checkpoint_passes_it()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 6:* (UID FLAGS INTERNALDATE RFC822.SIZE)")
            .Send("* 2 FETCH (UID 6 FLAGS () INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 5)\r\n* 3 FETCH (UID 7 FLAGS (\\Seen) INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 5)\r\n")
            .SendTagged("OK Fetch completed.")
            .ExpectTagged("UID FETCH 6:7 (BODY.PEEK[])")
            .Send("* 2 EXPUNGE\r\n* 2 FETCH (UID 7 BODY[] {5}\r\nhello)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("LOGOUT").Send("* BYE Logging out\r\n").SendTagged("OK Logout completed."));
        var delivered = new List<(string Id, string Body, string Flags)>();
        var checkpoints = new List<MailCheckpoint>();

        var result = await Fetcher(server).FetchAsync(new ImapCheckpoint("INBOX", 9, 5), async (mail, token) =>
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

    [Fact]
    public async Task A_literal_longer_than_the_announced_size_is_cut_off_before_it_is_held_in_memory()
    {
        await using var server = Examined(s => s
            .ExpectTagged("UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)")
            .Send("* 1 FETCH (UID 1 FLAGS () INTERNALDATE \"21-Nov-2026 20:00:00 +0000\" RFC822.SIZE 100)\r\n").SendTagged("OK Fetch completed.")
            .ExpectTagged("UID FETCH 1 (BODY.PEEK[])")
            .Send("* 1 FETCH (UID 1 BODY[] {1500000000}\r\n").Flood(8L * 1024 * 1024));
        var delivered = new List<string>();

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => Fetcher(server).FetchAsync(null, (mail, _) => { delivered.Add(mail.Id); return ValueTask.CompletedTask; },
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("sent more than", error.Message);
        Assert.Contains("UID FETCH 1 BODY.PEEK[]", error.Message);
        Assert.Empty(delivered);
    }
}
