using TokenBroker.Hosting.Packaging;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>The queues the functions need in Azure: each trigger and output queue, and the poison queue of each trigger queue.</summary>
internal static class TemplateQueues
{
    public const string PoisonSuffix = "-poison";

    /// <summary>Queue names of <paramref name="metadata"/>, %Setting% references resolved through the app settings.</summary>
    public static IEnumerable<string> Required(FunctionsMetadata metadata, IReadOnlyDictionary<string, string> appSettings)
    {
        foreach (var binding in metadata.QueueBindings)
        {
            var queue = binding.QueueName ?? throw new InvalidOperationException($"The {binding.Type} binding of {binding.Function} names no queue.");
            var name = IsSettingReference(queue)
                ? appSettings.TryGetValue(queue[1..^1], out var value) ? value : throw new InvalidOperationException($"{binding.Function} refers to {queue}, which the template does not set.")
                : queue;
            yield return name;
            // The host moves a message to <queue>-poison after the last failed dequeue.
            if (binding.IsQueueTrigger)
                yield return name + PoisonSuffix;
        }
    }

    public static IReadOnlyList<string> Missing(FunctionsMetadata metadata, EvaluatedDeployment deployment) =>
        Required(metadata, deployment.KnownAppSettings).Except(deployment.QueueNames, StringComparer.Ordinal).Distinct().ToList();

    public static bool IsSettingReference(string value) => value.Length > 2 && value[0] == '%' && value[^1] == '%';
}
