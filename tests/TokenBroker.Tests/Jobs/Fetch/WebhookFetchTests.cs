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
        using var receiver = new WebhookReceiver();
        var uids = await harness.AppendAsync("INBOX", 3);

        var context = await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);

        var deliveries = receiver.Accepted.ToList();
        Assert.Equal(["Message 1", "Message 2", "Message 3"], deliveries.Select(d => Subject(d.Text)));
        Assert.All(deliveries, d => Assert.True(d.SignatureIsValidFor(FetchHarness.Secret), "HMAC-SHA256 signature of the body"));
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
        using var receiver = new WebhookReceiver();
        await harness.AppendAsync("INBOX", 2, "Old");
        await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);
        await harness.AppendAsync("INBOX", 2, "New");

        await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);

        Assert.Equal(["Old 1", "Old 2", "New 1", "New 2"], receiver.Accepted.Select(d => Subject(d.Text)));
    }

    [Fact]
    public async Task A_fetch_takes_at_most_maxMessages_and_reports_how_many_wait()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver();
        await harness.AppendAsync("INBOX", 5);

        var context = await harness.RunAsync(harness.WebhookRequest(receiver.Url, maxMessages: 2), Ct);

        Assert.Equal(2, receiver.Accepted.Count);
        var fetched = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal(3, fetched.GetProperty("remaining").GetInt32());
    }

    [Fact]
    public async Task A_webhook_500_is_transient_and_the_retry_delivers_the_message()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver { Respond = (attempt, _) => attempt == 1 ? (500, "database down") : (200, "ok") };
        await harness.AppendAsync("INBOX", 2);

        var failure = await Assert.ThrowsAsync<MessageSinkUnavailableException>(() => harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct));
        Assert.Contains("500", failure.Message);
        Assert.Null(await harness.Ledger.GetCheckpointAsync(harness.Mailbox, "imap", "INBOX", Ct));

        await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);
        Assert.Equal(["Message 1", "Message 2"], receiver.Accepted.Select(d => Subject(d.Text)));
    }

    [Fact]
    public async Task A_webhook_400_is_a_permanent_failure_naming_the_status_and_the_receivers_answer()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver { Respond = (_, _) => (400, "Valid email required") };
        await harness.AppendAsync("INBOX", 1);

        var context = await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);

        var failed = Assert.Single(MailJobsHarness.Outputs(context, MailEvents.OutputBinding));
        Assert.Equal("mail.failed", failed.GetProperty("type").GetString());
        Assert.Contains("400", failed.GetProperty("reason").GetString());
        Assert.Contains("Valid email required", failed.GetProperty("reason").GetString());
        Assert.Single(MailJobsHarness.Outputs(context, MailEvents.PoisonBinding));
    }

    [Fact]
    public async Task Configured_static_headers_reach_the_receiver_like_an_osTicket_api_key()
    {
        using var receiver = new WebhookReceiver();
        await using var harness = await FetchHarness.CreateAsync(settings: new Dictionary<string, string?>
        {
            ["Mail:Webhooks:osticket:Url"] = $"http://127.0.0.1:{receiver.Port}/",
            ["Mail:Webhooks:osticket:Headers:X-API-Key"] = "0123ABCD",
        });
        await harness.AppendAsync("INBOX", 1);

        await harness.RunAsync(harness.WebhookRequest(receiver.Url), Ct);

        Assert.Equal("0123ABCD", Assert.Single(receiver.Accepted).ApiKey);
    }

    internal static string Subject(string message) =>
        message.Split("\r\n").First(line => line.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..];
}
