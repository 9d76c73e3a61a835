using System.Collections.Concurrent;
using System.IO.Compression;
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

/// <summary>With APPLICATIONINSIGHTS_CONNECTION_STRING set, the broker's logs reach the ingestion endpoint it names.</summary>
public sealed class ApplicationInsightsExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_poisoned_mail_request_is_logged_to_application_insights_with_its_reason()
    {
        await using var ingestion = await IngestionEndpoint.StartAsync();
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(MailWorkerFunction)]),
            settings: new Dictionary<string, string>
            {
                ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint={ingestion.Url}",
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
            });
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync(MailWorkerFunction.QueueName, Ct);

        await transport.SendAsync(MailWorkerFunction.QueueName, "not json", cancellationToken: Ct);

        await ingestion.WaitForAsync("failed for good", TimeSpan.FromSeconds(60));
    }

    /// <summary>Accepts Application Insights' track posts (gzip JSON lines) on 127.0.0.1 and keeps their text.</summary>
    private sealed class IngestionEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _items = new();

        private IngestionEndpoint(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/";

        public static async Task<IngestionEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var endpoint = new IngestionEndpoint(app);
            app.MapPost("/v2.1/track", async (HttpContext context) =>
            {
                Stream body = context.Request.Body;
                if (context.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
                    body = new GZipStream(body, CompressionMode.Decompress);
                using var reader = new StreamReader(body, Encoding.UTF8);
                var text = await reader.ReadToEndAsync();
                endpoint._items.Enqueue(text);
                var count = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                return Results.Json(new { itemsReceived = count, itemsAccepted = count, errors = Array.Empty<object>() });
            });
            await app.StartAsync(Ct);
            return endpoint;
        }

        public async Task WaitForAsync(string text, TimeSpan timeout)
        {
            using var limit = new CancellationTokenSource(timeout);
            while (!_items.Any(item => item.Contains(text, StringComparison.Ordinal)))
            {
                if (limit.IsCancellationRequested)
                    Assert.Fail($"No telemetry mentioning \"{text}\" reached the ingestion endpoint within {timeout}; {_items.Count} post(s) arrived.");
                await Task.Delay(200, Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
