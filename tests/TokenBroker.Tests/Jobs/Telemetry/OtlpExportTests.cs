using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Functions;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Queues;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Jobs.Telemetry;

/// <summary>Standalone, with OTEL_EXPORTER_OTLP_ENDPOINT set, the broker's metrics reach an OTLP collector.</summary>
public sealed class OtlpExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_mail_request_counter_is_exported_over_otlp_http()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(MailWorkerFunction)]),
            settings: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
            });
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync(MailWorkerFunction.QueueName, Ct);

        await transport.SendAsync(MailWorkerFunction.QueueName, "not json", cancellationToken: Ct);

        await collector.WaitForAsync("/v1/metrics", "tokenbroker.mail.requests", TimeSpan.FromSeconds(30));
    }

    /// <summary>Accepts OTLP/HTTP posts on 127.0.0.1 and keeps each body by path (protobuf: metric names appear as UTF-8).</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _posts = new();

        private OtlpCollector(WebApplication app) => _app = app;

        public string Endpoint => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        public static async Task<OtlpCollector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new OtlpCollector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector._posts.Enqueue((context.Request.Path, body.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync(Ct);
            return collector;
        }

        public async Task WaitForAsync(string path, string text, TimeSpan timeout)
        {
            var wanted = Encoding.UTF8.GetBytes(text);
            using var limit = new CancellationTokenSource(timeout);
            while (!_posts.Any(p => p.Path == path && p.Body.AsSpan().IndexOf(wanted) >= 0))
            {
                if (limit.IsCancellationRequested)
                    Assert.Fail($"No OTLP post to {path} mentioned {text} within {timeout}; posts seen: {string.Join(", ", _posts.Select(p => $"{p.Path} ({p.Body.Length} bytes)"))}.");
                await Task.Delay(100, Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
