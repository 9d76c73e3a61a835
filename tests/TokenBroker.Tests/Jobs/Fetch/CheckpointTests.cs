using TokenBroker.Jobs.Mail;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class CheckpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_changed_uidvalidity_redelivers_the_folder_and_the_event_says_so()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2);
        await harness.RunAsync(harness.WebhookRequest(), Ct);
        // The stored checkpoint belongs to an older numbering of the folder than the server's.
        var stored = await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "imap", "INBOX", Ct);
        await harness.Ledger.SaveCheckpointAsync(harness.Mailbox, "imap", "INBOX", stored!.Value with { UidValidity = stored.Value.UidValidity! + 1 }, stored.Version, Ct);

        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

        var fetched = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal(2, fetched.GetProperty("count").GetInt32());
        Assert.True(fetched.GetProperty("uidValidityChanged").GetBoolean());
        Assert.Contains("UIDVALIDITY", fetched.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_pop3_checkpoint_keeps_only_uidls_still_on_the_server()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 3);
        await harness.RunAsync(harness.WebhookRequest(protocol: "pop3", afterFetch: "delete"), Ct);

        await harness.RunAsync(harness.WebhookRequest(protocol: "pop3", afterFetch: "delete"), Ct);

        var stored = await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "pop3", "INBOX", Ct);
        Assert.Empty(stored!.Value.Pop3Uidls);
        Assert.Equal(3, receiver.Accepted.Count);
    }

    [Fact]
    public async Task The_mail_fetched_event_names_the_first_and_last_uid_and_carries_no_content()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        var uids = await harness.AppendAsync("INBOX", 3);

        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

        var fetched = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal(uids[0].ToString(System.Globalization.CultureInfo.InvariantCulture), fetched.GetProperty("first").GetString());
        Assert.Equal(uids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), fetched.GetProperty("last").GetString());
        Assert.Equal("INBOX", fetched.GetProperty("folder").GetString());
        Assert.DoesNotContain("Body of", fetched.GetRawText());
        Assert.DoesNotContain("Subject", fetched.GetRawText());
    }
}
