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
        using var receiver = new WebhookReceiver(harness.WebhookPort);

        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

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
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        var request = harness.WebhookRequest();
        request["mailbox"] = "nobody@tokenbroker.test";

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("not a registered mailbox", failed.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_fetch_naming_a_sink_that_is_not_configured_is_poisoned_with_the_reason()
    {
        await using var harness = await FetchHarness.CreateAsync();
        var request = harness.WebhookRequest();
        request["sink"]!["name"] = "nowhere";

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("No sink named \"nowhere\" is configured", failed.GetProperty("reason").GetString());
        Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
    }

    [Fact]
    public async Task A_fetch_choosing_its_own_url_and_secret_setting_is_refused_and_nothing_is_posted()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 1);
        var request = harness.WebhookRequest();
        request["sink"] = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "webhook", ["url"] = $"http://127.0.0.1:{harness.WebhookPort}/hook", ["secretSetting"] = "OAuth:ClientSecret",
        };

        var context = await harness.RunAsync(request, Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Contains("can no longer give a type, url, path or secret setting", failed.GetProperty("reason").GetString());
        Assert.Empty(receiver.Accepted);
    }

    [Fact]
    public async Task A_checkpoint_saved_by_another_worker_mid_fetch_stops_this_fetch_as_transient()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
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

        await Assert.ThrowsAsync<FetchConflictException>(() => harness.RunAsync(harness.WebhookRequest(), Ct));
    }
}
