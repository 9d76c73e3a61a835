using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Events;

namespace TokenBroker.Tests.Jobs.Events;

/// <summary>
/// The event webhook's signatures checked by the documented Python recipe (docs/examples/verify_webhook.py): what a
/// receiver can refuse with it.
/// </summary>
public sealed class WebhookSignatureVerificationTests
{
    private const string Secret = "whsec_c2lnbmF0dXJlLXZlcmlmaWNhdGlvbi10ZXN0LWtleQ==";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<SignedDelivery> PublishOneAsync(EventWebhookReceiver receiver)
    {
        var options = Options.Create(new EventsOptions { WebhookUrl = receiver.Url, WebhookSecret = Secret });
        using var http = new HttpClient();
        var publisher = new WebhookEventPublisher(http, options, NullLogger<WebhookEventPublisher>.Instance);
        await publisher.PublishAsync([BrokerEvent.StateChanged("a@contoso.com", "Connected", "NeedsConsent", "AADSTS700082", DateTimeOffset.UtcNow)], Ct);
        return Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_fresh_delivery_verifies()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var delivery = await PublishOneAsync(receiver);

        Assert.Equal(0, await PythonWebhookVerifier.RunAsync(Secret, delivery, now: null, Ct));
    }

    [Fact]
    public async Task The_same_delivery_replayed_ten_minutes_later_is_rejected_for_its_timestamp()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var delivery = await PublishOneAsync(receiver);

        var tenMinutesLater = long.Parse(delivery.Timestamp, System.Globalization.CultureInfo.InvariantCulture) + 600;
        Assert.Equal(2, await PythonWebhookVerifier.RunAsync(Secret, delivery, tenMinutesLater, Ct));
    }

    [Fact]
    public async Task A_replay_with_a_fresh_timestamp_no_longer_matches_the_signature()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var delivery = await PublishOneAsync(receiver);

        var restamped = delivery with { Timestamp = DateTimeOffset.UtcNow.AddSeconds(60).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(1, await PythonWebhookVerifier.RunAsync(Secret, restamped, now: null, Ct));
    }

    [Fact]
    public async Task The_body_under_another_webhook_id_does_not_verify()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var delivery = await PublishOneAsync(receiver);

        Assert.Equal(1, await PythonWebhookVerifier.RunAsync(Secret, delivery with { Id = "another-event" }, now: null, Ct));
    }

    [Fact]
    public async Task A_delivery_signed_with_another_secret_does_not_verify()
    {
        await using var receiver = await EventWebhookReceiver.StartAsync();
        var delivery = await PublishOneAsync(receiver);

        Assert.Equal(1, await PythonWebhookVerifier.RunAsync("whsec_YW5vdGhlci1zZWNyZXQtb2YtdGhlLXNhbWUtc2l6ZQ==", delivery, now: null, Ct));
    }
}
