using TokenBroker.Jobs.Fetch;
using TokenBroker.Mail;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>Which server refusals during a fetch are permanent (replies as servers send them; Dovecot's own is tested end to end).</summary>
public sealed class FetchServerRefusalsTests
{
    private const string Mailbox = "support@tokenbroker.test";

    private static string? Imap(string command, string reply) =>
        FetchServerRefusals.PermanentReason(new MailCommandException($"IMAP {command} failed: {reply}", reply), imap: true, Mailbox, "Tickets");

    private static string? Pop3(string command, string reply) =>
        FetchServerRefusals.PermanentReason(new MailCommandException($"POP3 {command} failed: {reply}", reply), imap: false, Mailbox, "INBOX");

    [Fact]
    public void A_plain_no_to_select_is_permanent_and_names_the_folder_and_the_reply() =>
        Assert.Equal($"The IMAP server refused to open the folder \"Tickets\" of {Mailbox} (it answered: A3 NO Select failed.); check that the folder exists and the mailbox may read it, then resubmit.",
            Imap("SELECT", "A3 NO Select failed."));

    [Fact]
    public void A_nonexistent_code_to_examine_says_the_folder_does_not_exist() =>
        Assert.StartsWith("The IMAP folder \"Tickets\" does not exist in support@tokenbroker.test (the server answered: A3 NO [NONEXISTENT] Unknown Mailbox)",
            Imap("EXAMINE", "A3 NO [NONEXISTENT] Unknown Mailbox"));

    [Theory]
    [InlineData("A3 NO [UNAVAILABLE] Mailbox is temporarily unavailable")]
    [InlineData("A3 NO [INUSE] Mailbox is locked")]
    [InlineData("A3 NO [SERVERBUG] Internal error occurred")]
    public void A_select_refused_with_a_temporary_code_is_left_to_the_queues_retry(string reply) =>
        Assert.Null(Imap("SELECT", reply));

    [Fact]
    public void A_throttled_select_is_left_to_the_queues_retry() =>
        Assert.Null(FetchServerRefusals.PermanentReason(
            new MailThrottledException("IMAP SELECT was throttled", "A3 NO Request is throttled. Suggested Backoff Time: 1000 ms", TimeSpan.FromSeconds(1)), true, Mailbox, "Tickets"));

    [Fact]
    public void A_refused_command_other_than_opening_the_folder_is_left_to_the_queues_retry() =>
        Assert.Null(Imap("UID FETCH", "A5 NO Some messages could not be fetched"));

    [Fact]
    public void A_pop3_sys_perm_reply_is_permanent_with_the_reply() =>
        Assert.Equal($"The POP3 server reports a permanent failure of {Mailbox}'s maildrop (it answered: -ERR [SYS/PERM] Permission denied); an administrator of the mail server must fix the mailbox before it can be fetched.",
            Pop3("UIDL", "-ERR [SYS/PERM] Permission denied"));

    [Theory]
    [InlineData("-ERR [SYS/TEMP] Couldn't open INBOX")]
    [InlineData("-ERR [IN-USE] Mailbox is locked by another POP3 session")]
    [InlineData("-ERR Unknown message")]
    public void Other_pop3_refusals_are_left_to_the_queues_retry(string reply) =>
        Assert.Null(Pop3("RETR", reply));
}
