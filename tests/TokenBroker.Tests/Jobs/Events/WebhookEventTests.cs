using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Events;
using TokenBroker.Tests.Jobs.Refresh;

namespace TokenBroker.Tests.Jobs.Events;

public sealed class WebhookEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the operator's endpoint receives: body and signature header, as sent.</summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private WebhookReceiver(WebApplication app) => _app = app;

        public ConcurrentQueue<(string Body, string? Signature)> Received { get; } = new();
        public string Url { get; private set; } = "";

        public static async Task<WebhookReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new WebhookReceiver(app);
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                receiver.Received.Enqueue((await reader.ReadToEndAsync(), request.Headers[WebhookEventPublisher.SignatureHeader].FirstOrDefault()));
                return Results.NoContent();
            });
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/hook";
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_state_change_is_posted_to_the_webhook_signed_with_hmac_sha256_of_the_body()
    {
        const string secret = "webhook-secret-for-the-test";
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await RefreshTesting.StartAsync(events: o =>
        {
            o.WebhookUrl = receiver.Url;
            o.WebhookSecret = secret;
        });
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        var queued = Assert.Single(await RefreshTesting.RunTimerAsync(host, Ct));

        var (body, signature) = Assert.Single(receiver.Received);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(expected, signature);
        var posted = BrokerEvent.Parse(body);
        Assert.Equal((queued.Id, mailbox, "NeedsConsent"), (posted.Id, posted.Mailbox, posted.To));
    }

    [Fact]
    public async Task An_unreachable_webhook_does_not_fail_the_timer_and_the_event_still_goes_to_the_queue()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
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
