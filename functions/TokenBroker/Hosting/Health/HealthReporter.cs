using System.Reflection;
using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Queues;

namespace TokenBroker.Hosting.Health;

/// <summary>What GET /api/health answers: what runs, how, and how deep every queue of the app is (poison included).</summary>
public sealed class HealthReporter(FunctionCatalog catalog, IQueueTransport transport, IConfiguration configuration, HostingModeInfo mode)
{
    public static string Version { get; } =
        typeof(HealthReporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public async Task<HealthReport> ReportAsync(CancellationToken cancellationToken)
    {
        var queues = new List<QueueHealth>();
        foreach (var (name, _) in catalog.AllQueues())
        {
            var queue = SettingReference.Resolve(name, configuration);
            queues.Add(new QueueHealth(queue, await DepthAsync(queue, cancellationToken), await DepthAsync(PoisonQueue.NameFor(queue), cancellationToken)));
        }
        return new HealthReport("ok", Version, mode.Name, queues);
    }

    private async Task<int?> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        try { return await transport.GetApproximateCountAsync(queue, cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return null; }
    }
}

public sealed record HealthReport(string Status, string Version, string Mode, IReadOnlyList<QueueHealth> Queues);

/// <summary>Depth is null when the queue service could not be asked.</summary>
public sealed record QueueHealth(string Name, int? Depth, int? PoisonDepth);
