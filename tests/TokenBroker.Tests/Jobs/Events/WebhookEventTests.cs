using System.Text;
using TokenBroker.Jobs.Events;
using TokenBroker.Tests.Jobs.Refresh;

namespace TokenBroker.Tests.Jobs.Events;

public sealed class WebhookEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_state_change_is_posted_to_the_webhook_with_a_standard_webhooks_signature_a_python_verifier_accepts()
    {
        const string secret = "whsec_ZXZlbnQtd2ViaG9vay1zZWNyZXQtZm9yLXRoZS10ZXN0";
        await using var receiver = await EventWebhookReceiver.StartAsync();
        await using var host = await RefreshTesting.StartAsync(events: o =>
        {
            o.WebhookUrl = receiver.Url;
            o.WebhookSecret = secret;
        });
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        var queued = Assert.Single(await RefreshTesting.RunTimerAsync(host, Ct));

        var delivery = Assert.Single(receiver.Received);
        Assert.Equal(0, await PythonWebhookVerifier.RunAsync(secret, delivery, now: null, Ct));
        var posted = BrokerEvent.Parse(Encoding.UTF8.GetString(delivery.Body));
        Assert.Equal(posted.Id, delivery.Id);
        Assert.Equal((queued.Id, mailbox, "NeedsConsent"), (posted.Id, posted.Mailbox, posted.To));
    }

    [Fact]
    public async Task An_unreachable_webhook_does_not_fail_the_timer_and_the_event_still_goes_to_the_queue()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var deadUrl = receiver.Url;
        await receiver.DisposeAsync();
        await using var host = await RefreshTesting.StartAsync(events: o =>
        {
            o.WebhookUrl = deadUrl;
            o.WebhookSecret = "s";
        });
        await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        var queued = await RefreshTesting.RunTimerAsync(host, Ct);

        Assert.Single(queued);
        Assert.Contains(host.Logs.Lines, line => line.Contains("event webhook did not take event"));
    }

    [Fact]
    public void Events_serialize_as_version_1_camel_case_json_without_empty_fields()
    {
        var change = BrokerEvent.StateChanged("a@contoso.com", "Connected", "NeedsConsent", "why", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)) with { Id = "e1" };

        Assert.Equal("""{"version":1,"type":"mailbox.state-changed","id":"e1","at":"2026-01-02T03:04:05+00:00","mailbox":"a@contoso.com","from":"Connected","to":"NeedsConsent","reason":"why"}""", change.ToJson());
    }
}
