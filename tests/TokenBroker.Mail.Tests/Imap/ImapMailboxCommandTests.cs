using System.Text;
using TokenBroker.Mail.Imap;
using static TokenBroker.Mail.Tests.Imap.ImapTranscript;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapMailboxCommandTests
{
    [Fact]
    public async Task Select_returns_uidvalidity_uidnext_and_exists()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
            "* 172 EXISTS",
            "* 1 RECENT",
            "* OK [UIDVALIDITY 3857529045] UIDs valid",
            "* OK [UIDNEXT 4392] Predicted next UID",
            "A1 OK [READ-WRITE] Select completed."));

        var mailbox = await client.SelectAsync("INBOX", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("A1 SELECT INBOX\r\n", transport.Written);
        Assert.Equal((3857529045u, 4392u, 172u, false), (mailbox.UidValidity, mailbox.UidNext, mailbox.Exists, mailbox.IsReadOnly));
        Assert.Contains("\\Seen", mailbox.Flags);
    }

    [Fact]
    public async Task Examine_is_read_only_and_names_with_spaces_and_accents_are_quoted_in_modified_utf7()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "A1 OK [READ-ONLY] Examine completed."));
        var mailbox = await client.SelectAsync("Entwürfe alt", readOnly: true, TestContext.Current.CancellationToken);
        Assert.Equal("A1 EXAMINE \"Entw&APw-rfe alt\"\r\n", transport.Written);
        Assert.True(mailbox.IsReadOnly);
    }

    [Fact]
    public async Task A_failed_select_leaves_no_mailbox_selected()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "A1 NO Mailbox doesn't exist: Nope"));
        var error = await Assert.ThrowsAsync<MailCommandException>(() => client.SelectAsync("Nope", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("A1 NO Mailbox doesn't exist: Nope", error.ServerReply);
        Assert.Null(client.SelectedMailbox);
    }

    [Fact]
    public async Task Uid_search_after_a_uid_drops_the_last_message_the_server_always_matches()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "* SEARCH 7", "A1 OK Search completed."));
        var uids = await client.UidSearchAfterAsync(7, TestContext.Current.CancellationToken);
        Assert.Equal("A1 UID SEARCH UID 8:*\r\n", transport.Written);
        Assert.Empty(uids);
    }

    [Fact]
    public async Task Uid_search_returns_sorted_uids()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting, "* SEARCH 12 9 10", "A1 OK Search completed."));
        Assert.Equal([9u, 10u, 12u], await client.UidSearchAfterAsync(8, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Uid_store_adds_flags_silently()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "A1 OK Store completed."));
        await client.UidStoreFlagsAsync("4:6", ImapStoreMode.Add, ["\\Seen", "$Processed"], TestContext.Current.CancellationToken);
        Assert.Equal("A1 UID STORE 4:6 +FLAGS.SILENT (\\Seen $Processed)\r\n", transport.Written);
    }

    [Fact]
    public async Task Move_uses_UID_MOVE_when_advertised()
    {
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] ready",
            "* OK [COPYUID 1 4 10] Moved UIDs.", "* 1 EXPUNGE", "A1 OK Move completed."));
        await client.UidMoveAsync("4", "Archive", TestContext.Current.CancellationToken);
        Assert.Equal("A1 UID MOVE 4 Archive\r\n", transport.Written);
    }

    [Fact]
    public async Task Move_without_MOVE_copies_flags_deleted_and_expunges_only_those_uids_with_UIDPLUS()
    {
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready",
            "A1 OK [COPYUID 1 4:5 10:11] Copy completed.", "A2 OK Store completed.", "* 1 EXPUNGE", "* 1 EXPUNGE", "A3 OK Expunge completed."));
        await client.UidMoveAsync("4:5", "Archive", TestContext.Current.CancellationToken);
        Assert.Equal("A1 UID COPY 4:5 Archive\r\nA2 UID STORE 4:5 +FLAGS.SILENT (\\Deleted)\r\nA3 UID EXPUNGE 4:5\r\n", transport.Written);
    }

    [Fact]
    public async Task Move_without_MOVE_or_UIDPLUS_falls_back_to_EXPUNGE()
    {
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1] ready",
            "A1 OK Copy completed.", "A2 OK Store completed.", "A3 OK Expunge completed."));
        await client.UidMoveAsync("4", "Archive", TestContext.Current.CancellationToken);
        Assert.Equal("A1 UID COPY 4 Archive\r\nA2 UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\nA3 EXPUNGE\r\n", transport.Written);
    }

    [Fact]
    public async Task List_reads_attributes_delimiters_literal_names_and_decodes_modified_utf7()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"",
            "* LIST (\\Noselect) NIL {12}",
            "Entw&APw-rfe",
            "A1 OK List completed."));

        var entries = await client.ListAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("A1 LIST \"\" \"*\"\r\n", transport.Written);
        Assert.Equal(["INBOX", "Sent Items", "Entwürfe"], entries.Select(e => e.Name));
        Assert.Equal(["\\HasNoChildren", "\\Sent"], entries[1].Attributes);
        Assert.Null(entries[2].Delimiter);
    }

    [Fact]
    public async Task Append_waits_for_the_continuation_before_sending_the_literal()
    {
        var message = "Subject: hi\r\n\r\nbody\r\n";
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready",
            "+ OK", "A1 OK [APPENDUID 38505 3955] APPEND completed."));

        var uid = await client.AppendAsync("INBOX", Encoding.ASCII.GetBytes(message), ["\\Seen"], TestContext.Current.CancellationToken);

        Assert.Equal($"A1 APPEND INBOX (\\Seen) {{{message.Length}}}\r\n{message}\r\n", transport.Written);
        Assert.Equal(3955u, uid);
    }

    [Fact]
    public async Task Append_with_LITERAL_plus_does_not_wait()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting, "A1 OK APPEND completed."));
        var uid = await client.AppendAsync("INBOX", "x\r\n"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("A1 APPEND INBOX {3+}\r\nx\r\n\r\n", transport.Written);
        Assert.Null(uid);
    }

    [Fact]
    public async Task Append_refused_before_the_literal_fails_with_the_reply()
    {
        var (client, transport) = await StartAsync(Lines("* OK [CAPABILITY IMAP4rev1] ready", "A1 NO [OVERQUOTA] Quota exceeded"));
        var error = await Assert.ThrowsAsync<MailCommandException>(() =>
            client.AppendAsync("INBOX", "x\r\n"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("A1 NO [OVERQUOTA] Quota exceeded", error.ServerReply);
        Assert.Equal("A1 APPEND INBOX {3}\r\n", transport.Written);
    }
}
