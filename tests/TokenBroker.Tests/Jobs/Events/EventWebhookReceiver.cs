using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Tests.Jobs.Events;

/// <summary>One POST as the receiver got it: the raw body and the Standard Webhooks headers.</summary>
internal sealed record SignedDelivery(byte[] Body, string Id, string Timestamp, string Signature);

/// <summary>An operator's event endpoint on 127.0.0.1: records every POST, answers 204.</summary>
internal sealed class EventWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EventWebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<SignedDelivery> Received { get; } = new();
    public string Url { get; private set; } = "";

    public static async Task<EventWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new EventWebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Received.Enqueue(new SignedDelivery(body.ToArray(), request.Headers["webhook-id"].ToString(),
                request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString()));
            return Results.NoContent();
        });
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
