using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Tests.Jobs.Telemetry;

/// <summary>
/// A telemetry endpoint on 127.0.0.1 that accepts POSTs on one route and keeps each body (gzip undone) by path, for the
/// exporters to send to. Bodies are kept as bytes: OTLP is protobuf, where names still appear as UTF-8.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _posts = new();

    private LoopbackReceiver(WebApplication app) => _app = app;

    /// <summary>The receiver's base address, without a trailing slash.</summary>
    public string Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    /// <param name="route">The route posts arrive on, e.g. "/v1/{signal}".</param>
    /// <param name="answer">What to answer a post, given its body.</param>
    public static async Task<LoopbackReceiver> StartAsync(string route, Func<byte[], IResult> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        app.MapPost(route, async (HttpContext context) =>
        {
            var body = context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
                : context.Request.Body;
            using var copy = new MemoryStream();
            await body.CopyToAsync(copy);
            receiver._posts.Enqueue((context.Request.Path, copy.ToArray()));
            return answer(copy.ToArray());
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    /// <summary>Waits until a post to <paramref name="path"/> contains <paramref name="text"/>; fails with what arrived.</summary>
    public async Task WaitForAsync(string path, string text, TimeSpan timeout)
    {
        var wanted = Encoding.UTF8.GetBytes(text);
        using var limit = new CancellationTokenSource(timeout);
        while (!_posts.Any(p => p.Path == path && p.Body.AsSpan().IndexOf(wanted) >= 0))
        {
            if (limit.IsCancellationRequested)
                Assert.Fail($"No post to {path} mentioned \"{text}\" within {timeout}; posts seen: {string.Join(", ", _posts.Select(p => $"{p.Path} ({p.Body.Length} bytes)"))}.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
