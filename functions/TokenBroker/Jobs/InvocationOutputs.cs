namespace TokenBroker.Jobs;

/// <summary>
/// The queue messages a job produced, by output name. A <c>[Function]</c> method returns them as its output bindings,
/// so they are written only when the invocation succeeds: by the Functions host on Azure, by the standalone host here.
/// </summary>
public sealed class InvocationOutputs
{
    private readonly Dictionary<string, List<string>> _outputs = new(StringComparer.Ordinal);

    /// <summary>Adds a message (JSON text) under an output name.</summary>
    public void AddOutput(string bindingName, string messageText)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        ArgumentNullException.ThrowIfNull(messageText);
        // Consumers of broker-events and the poison queue parse JSON; a job must never hand them anything else.
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

    /// <summary>The messages under one output name; null when there are none (an output binding then writes nothing).</summary>
    public string[]? this[string bindingName] => _outputs.TryGetValue(bindingName, out var messages) ? [.. messages] : null;
}
