using System.Text.Json.Serialization;

namespace TokenBroker.Hosting.CustomHandler;

/// <summary>The custom-handler response: output bindings by name, log lines for the host, and a return value.</summary>
internal sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue);
