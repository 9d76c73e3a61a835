using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Mail;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>Fetching from the real Dovecot into a webhook receiver run by the test.</summary>
public sealed class WebhookFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_imap_fetch_posts_every_new_message_once_as_signed_rfc822()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        var uids = await harness.AppendAsync("INBOX", 3);

        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

        var deliveries = receiver.Accepted.ToList();
        Assert.Equal(["Message 1", "Message 2", "Message 3"], deliveries.Select(d => Subject(d.Text)));
        Assert.All(deliveries, d => Assert.True(d.SignatureIsValidFor(FetchHarness.Secret), "Standard Webhooks signature over id.timestamp.body"));
        Assert.All(deliveries, d => Assert.Equal(d.DeliveryId, d.WebhookId));
        Assert.All(deliveries, d => Assert.Equal("message/rfc822", d.ContentType));
        Assert.All(deliveries, d => Assert.Equal(harness.Mailbox, d.Mailbox));
        Assert.Equal(uids.Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture)), deliveries.Select(d => d.Uid));
        Assert.Equal(3, deliveries.Select(d => d.DeliveryId).Distinct().Count());
        var fetched = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.fetched", fetched.GetProperty("type").GetString());
        Assert.Equal(3, fetched.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_second_fetch_posts_only_the_messages_that_arrived_since()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 2, "Old");
        await harness.RunAsync(harness.WebhookRequest(), Ct);
        await harness.AppendAsync("INBOX", 2, "New");

        await harness.RunAsync(harness.WebhookRequest(), Ct);

        Assert.Equal(["Old 1", "Old 2", "New 1", "New 2"], receiver.Accepted.Select(d => Subject(d.Text)));
    }

    [Fact]
    public async Task A_fetch_takes_at_most_maxMessages_and_reports_how_many_wait()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 5);

        var context = await harness.RunAsync(harness.WebhookRequest(maxMessages: 2), Ct);

        Assert.Equal(2, receiver.Accepted.Count);
        var fetched = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal(3, fetched.GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task A_webhook_500_is_transient_and_the_retry_delivers_the_message()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort) { Respond = (attempt, _) => attempt == 1 ? (500, "database down") : (200, "ok") };
        await harness.AppendAsync("INBOX", 2);

        var failure = await Assert.ThrowsAsync<MessageSinkUnavailableException>(() => harness.RunAsync(harness.WebhookRequest(), Ct));
        Assert.Contains("500", failure.Message);
        Assert.Null(await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "imap", "INBOX", Ct));

        await harness.RunAsync(harness.WebhookRequest(), Ct);
        Assert.Equal(["Message 1", "Message 2"], receiver.Accepted.Select(d => Subject(d.Text)));
    }

    [Fact]
    public async Task A_webhook_400_is_a_permanent_failure_naming_the_sink_and_status_without_echoing_the_answer_body()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort) { Respond = (_, _) => (400, "Valid email required") };
        await harness.AppendAsync("INBOX", 1);

        var context = await harness.RunAsync(harness.WebhookRequest(), Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        Assert.Contains("\"helpdesk\" answered 400 Bad Request", failed.GetProperty("reason").GetString());
        Assert.DoesNotContain("Valid email required", failed.GetProperty("reason").GetString());
        Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
    }

    [Fact]
    public async Task Configured_static_headers_reach_the_receiver_like_an_osTicket_api_key()
    {
        await using var harness = await FetchHarness.CreateAsync(settings: new Dictionary<string, string?>
        {
            ["Sinks:Webhooks:helpdesk:Headers:X-API-Key"] = "0123ABCD",
        });
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 1);

        await harness.RunAsync(harness.WebhookRequest(), Ct);

        Assert.Equal("0123ABCD", Assert.Single(receiver.Accepted).ApiKey);
    }

    [Fact]
    public async Task Static_headers_go_only_to_their_own_sink_even_when_another_sink_url_starts_the_same()
    {
        var port = MailBrokerPeers.FreePort();
        await using var harness = await FetchHarness.CreateAsync(webhookPort: port, settings: new Dictionary<string, string?>
        {
            ["Sinks:Webhooks:helpdesk:Headers:X-API-Key"] = "0123ABCD",
            ["Sinks:Webhooks:lookalike:Url"] = $"http://127.0.0.1:{port}/hook-elsewhere",
            ["Sinks:Webhooks:lookalike:Secret"] = FetchHarness.Secret,
        });
        using var receiver = new WebhookReceiver(port);
        await harness.AppendAsync("INBOX", 1);
        var request = harness.WebhookRequest();
        request["sink"]!["name"] = "lookalike";

        await harness.RunAsync(request, Ct);

        var delivery = Assert.Single(receiver.Accepted);
        Assert.Equal("/hook-elsewhere", delivery.Path);
        Assert.Null(delivery.ApiKey);
    }

    internal static string Subject(string message) =>
        message.Split("\r\n").First(line => line.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..];
}
