using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Queues;

namespace TokenBroker.Hosting.Health;

/// <summary>GET /api/health: what runs, how, and how deep every queue of the table is (poison included).</summary>
public static class HealthApi
{
    public static HttpFunction Function { get; } =
        FunctionDeclarations.Http("Health", "health", "GET", HttpAuthLevel.Anonymous, GetAsync);

    public static string Version { get; } =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private static async Task<Ok<HealthReport>> GetAsync(FunctionTable table, IQueueTransport transport, IConfiguration configuration, HostingModeInfo mode, CancellationToken cancellationToken)
    {
        var queues = new List<QueueHealth>();
        foreach (var (name, _) in table.AllQueues())
        {
            var queue = SettingReference.Resolve(name, configuration);
            queues.Add(new QueueHealth(queue, await DepthAsync(transport, queue, cancellationToken), await DepthAsync(transport, PoisonQueue.NameFor(queue), cancellationToken)));
        }
        return TypedResults.Ok(new HealthReport("ok", Version, mode.Name, queues));
    }

    private static async Task<int?> DepthAsync(IQueueTransport transport, string queue, CancellationToken cancellationToken)
    {
        try { return await transport.GetApproximateCountAsync(queue, cancellationToken); }
        catch (Exception) when (!cancellationToken.IsCancellationRequested) { return null; }
    }
}

public sealed record HealthReport(string Status, string Version, string Mode, IReadOnlyList<QueueHealth> Queues);

/// <summary>Depth is null when the queue service could not be asked.</summary>
public sealed record QueueHealth(string Name, int? Depth, int? PoisonDepth);
