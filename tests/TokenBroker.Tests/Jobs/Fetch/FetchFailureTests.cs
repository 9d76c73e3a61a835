using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Store;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class FetchFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_mailbox_needing_consent_is_a_permanent_failure_with_the_reason()
    {
        await using var harness = await FetchHarness.CreateAsync(state: MailboxState.NeedsConsent);
        using var receiver = new WebhookReceiver();

        var context = await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        Assert.Contains("needs consent", failed.GetProperty("reason").GetString());
        Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
        Assert.Equal(0, harness.Tokens.Calls);
    }

    [Fact]
    public async Task An_unknown_mailbox_is_a_permanent_failure()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver();
        var request = harness.WebhookRequest(receiver.Url);
        request["mailbox"] = "nobody@tokenbroker.test";

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("not a registered mailbox", failed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_missing_webhook_secret_setting_is_a_permanent_failure_naming_the_setting()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver();
        var request = harness.WebhookRequest(receiver.Url);
        request["sink"]!["secretSetting"] = "Webhooks:Missing:Secret";

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("Webhooks:Missing:Secret", failed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_checkpoint_saved_by_another_worker_mid_fetch_stops_this_fetch_as_transient()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver();
        await harness.AppendAsync("INBOX", 2);
        var interfered = false;
        receiver.OnReceived = async _ =>
        {
            if (interfered) return;
            interfered = true;
            // Another worker fetching the same folder saves its checkpoint while this one delivers.
            await harness.Ledger.SaveCheckpointAsync(harness.Mailbox, "imap", "INBOX",
                new FetchCheckpoint(1, 0, [], DateTimeOffset.UtcNow), null, Ct);
        };

        await Assert.ThrowsAsync<FetchConflictException>(() => harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct));
    }
}
