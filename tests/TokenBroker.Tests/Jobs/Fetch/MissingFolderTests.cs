using TokenBroker.Jobs.Mail;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>
/// A fetch from a folder the real Dovecot does not have fails for good (mail.failed + poison) instead of being retried by
/// the queue; a maildrop Dovecot cannot read right now stays transient.
/// </summary>
public sealed class MissingFolderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("none")] // EXAMINE
    [InlineData("seen")] // SELECT
    public async Task A_fetch_from_a_folder_that_does_not_exist_fails_permanently_naming_the_folder_and_the_servers_reply(string afterFetch)
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 1);
        var request = harness.WebhookRequest(afterFetch: afterFetch);
        request["folder"] = "Projects/Nowhere";

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        Assert.Equal("fetch", failed.GetProperty("kind").GetString());
        var reason = failed.GetProperty("reason").GetString();
        // MailKit LISTs a folder before it opens it: Dovecot lists no such folder, so it is never opened.
        Assert.StartsWith($"The IMAP folder \"Projects/Nowhere\" does not exist in {harness.Mailbox} (the server lists no folder of that name; its last line: ", reason);
        Assert.Contains(" OK List completed", reason);
        Assert.Equal(request.ToJsonString(), Assert.Single(context.Outputs[MailEvents.PoisonBinding]));
        Assert.Empty(receiver.Accepted);
    }

    [Fact]
    public async Task A_missing_folder_leaves_no_checkpoint_so_a_corrected_request_for_inbox_still_delivers_everything()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2);
        var wrong = harness.WebhookRequest();
        wrong["folder"] = "inbox-typo";

        await harness.RunAsync(wrong, Ct);
        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

        Assert.Equal("mail.fetched", Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding)).GetProperty("type").GetString());
        Assert.Equal(2, receiver.Accepted.Count);
        Assert.Null(await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "imap", "inbox-typo", Ct));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_pop3_maildrop_the_server_cannot_read_now_is_left_to_the_queues_retry()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 1);
        var cur = Path.Combine(TokenBroker.Testing.Maildir.For(harness.Mailbox).Path, "cur");
        var mode = File.GetUnixFileMode(cur);
        File.SetUnixFileMode(cur, UnixFileMode.None);
        try
        {
            // Dovecot answers an unreadable maildrop with "-ERR [SYS/TEMP] Internal error occurred. …": not permanent.
            var refused = await Assert.ThrowsAsync<TokenBroker.Mail.MailCommandException>(() => harness.RunAsync(harness.WebhookRequest(protocol: "pop3"), Ct));
            Assert.Contains("[SYS/TEMP]", refused.ServerReply);
        }
        finally
        {
            File.SetUnixFileMode(cur, mode);
        }
        Assert.Empty(receiver.Accepted);
    }
}
