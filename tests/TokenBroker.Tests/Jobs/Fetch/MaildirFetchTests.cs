using TokenBroker.Jobs.Ledger;
using TokenBroker.Tests.Jobs.Fetch.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class MaildirFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_imap_fetch_delivers_every_new_message_into_the_maildir_new_folder()
    {
        await using var harness = await FetchHarness.CreateAsync();
        var maildir = harness.MaildirRoot;
        await harness.AppendAsync("INBOX", 3);

        await harness.RunAsync(harness.MaildirRequest(), Ct);

        var subjects = Directory.GetFiles(Path.Combine(maildir, "new")).Select(f => WebhookFetchTests.Subject(File.ReadAllText(f))).Order();
        Assert.Equal(["Message 1", "Message 2", "Message 3"], subjects);
        Assert.Empty(Directory.GetFiles(Path.Combine(maildir, "tmp")));
    }

    [Fact]
    public async Task A_redelivered_message_is_absorbed_by_the_maildir_sink()
    {
        await using var harness = await FetchHarness.CreateAsync();
        var maildir = harness.MaildirRoot;
        await harness.AppendAsync("INBOX", 2);
        await harness.RunAsync(harness.MaildirRequest(), Ct);
        // As after a crash between the sink's acceptance and the checkpoint save: the checkpoint is behind.
        var stored = await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "imap", "INBOX", Ct);
        await harness.Ledger.SaveCheckpointAsync(harness.Mailbox, "imap", "INBOX", stored!.Value with { LastUid = 0 }, stored.Version, Ct);

        await harness.RunAsync(harness.MaildirRequest(), Ct);

        Assert.Equal(2, Directory.GetFiles(Path.Combine(maildir, "new")).Length);
    }

    [Fact]
    public async Task A_request_folder_is_delivered_beneath_the_sinks_configured_root()
    {
        await using var harness = await FetchHarness.CreateAsync();
        await harness.AppendAsync("INBOX", 1);

        await harness.RunAsync(harness.MaildirRequest("support/2026"), Ct);

        Assert.Single(Directory.GetFiles(Path.Combine(harness.MaildirRoot, "support", "2026", "new")));
    }
}
