using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Standalone;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>The queues a function table needs in Azure: each trigger and output queue, and its poison queue.</summary>
internal static class TemplateQueues
{
    /// <summary>Queue names of <paramref name="table"/>, %Setting% references resolved through the app settings.</summary>
    public static IEnumerable<string> Required(FunctionCatalog table, IReadOnlyDictionary<string, string> appSettings)
    {
        foreach (var (queue, _) in table.AllQueues())
        {
            var name = SettingReference.IsReference(queue)
                ? appSettings.TryGetValue(queue[1..^1], out var value) ? value : throw new InvalidOperationException($"The table refers to {queue}, which the template does not set.")
                : queue;
            yield return name;
            // An output that writes to a poison queue (the mail worker's "poison" binding) needs no poison queue of its own.
            if (!name.EndsWith("-poison", StringComparison.Ordinal))
                yield return PoisonQueue.NameFor(name);
        }
    }

    public static IReadOnlyList<string> Missing(FunctionCatalog table, EvaluatedDeployment deployment) =>
        Required(table, deployment.KnownAppSettings).Except(deployment.QueueNames, StringComparer.Ordinal).Distinct().ToList();
}
