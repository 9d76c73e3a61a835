using TokenBroker.Hosting.Functions;
using TokenBroker.Queues;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// Standalone stand-in for the Functions host's queue output bindings: after a successful invocation, every
/// message the function returned is sent to the queue its output names. Shared by queue listeners and timers.
/// </summary>
internal static class OutputBindingWriter
{
    /// <summary>Binding name → resolved queue name, from a function's output bindings.</summary>
    public static IReadOnlyDictionary<string, string> Resolve(IEnumerable<QueueOutputBinding> outputs, Func<string, string> resolveQueueName) =>
        outputs.ToDictionary(o => o.BindingName, o => resolveQueueName(o.QueueName), StringComparer.Ordinal);

    public static async Task WriteAsync(string functionName, FunctionRunResult result, IReadOnlyDictionary<string, string> outputQueues, IQueueTransport transport)
    {
        foreach (var (binding, messages) in result.Outputs)
        {
            if (!outputQueues.TryGetValue(binding, out var outputQueue))
                throw new InvalidOperationException($"Function '{functionName}' returned the output '{binding}', which it does not declare.");
            // Outputs of a completed invocation are written even while stopping: the work they report is done.
            foreach (var text in messages)
                await transport.SendAsync(outputQueue, text, cancellationToken: CancellationToken.None);
        }
    }
}
