using System.Text;
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
        // Application Insights' track API answers with how many of the posted items (one JSON per line) it accepted.
        await using var ingestion = await LoopbackReceiver.StartAsync("/v2.1/track", body =>
        {
            var count = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return Results.Json(new { itemsReceived = count, itemsAccepted = count, errors = Array.Empty<object>() });
        });
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(MailWorkerFunction)]),
            settings: new Dictionary<string, string>
            {
                ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint={ingestion.Address}/",
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
            });
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync(MailWorkerFunction.QueueName, Ct);

        await transport.SendAsync(MailWorkerFunction.QueueName, "not json", cancellationToken: Ct);

        await ingestion.WaitForAsync("/v2.1/track", "failed for good", TimeSpan.FromSeconds(60));
    }
}
