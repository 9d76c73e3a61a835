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
        await using var collector = await LoopbackReceiver.StartAsync("/v1/{signal}", _ => Results.Ok());
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(MailWorkerFunction)]),
            settings: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
            });
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync(MailWorkerFunction.QueueName, Ct);

        await transport.SendAsync(MailWorkerFunction.QueueName, "not json", cancellationToken: Ct);

        await collector.WaitForAsync("/v1/metrics", "tokenbroker.mail.requests", TimeSpan.FromSeconds(30));
    }
}
