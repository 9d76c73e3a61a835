using Microsoft.Extensions.Logging;

namespace TokenBroker.Hosting.Functions;

/// <summary>
/// One invocation: its identity, a logger, and the output bindings it fills. Outputs are written only when
/// the invocation succeeds — by the Functions host in Azure, by the queue transport standalone.
/// </summary>
public sealed class FunctionContext(string functionName, string invocationId, ILogger logger)
{
    private readonly Dictionary<string, List<string>> _outputs = new(StringComparer.Ordinal);

    public string FunctionName { get; } = functionName;
    public string InvocationId { get; } = invocationId;
    public ILogger Logger { get; } = logger;

    /// <summary>Adds a message (JSON text) to a queue output binding.</summary>
    public void AddOutput(string bindingName, string messageText)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        ArgumentNullException.ThrowIfNull(messageText);
        // The Functions host tries to base64-decode plain strings in queue outputs; JSON text passes through intact.
        try { using var _ = System.Text.Json.JsonDocument.Parse(messageText); }
        catch (System.Text.Json.JsonException)
        {
            throw new ArgumentException($"Output '{bindingName}' must be JSON text.", nameof(messageText));
        }
        if (!_outputs.TryGetValue(bindingName, out var messages))
            _outputs[bindingName] = messages = [];
        messages.Add(messageText);
    }

    public IReadOnlyDictionary<string, List<string>> Outputs => _outputs;
}
