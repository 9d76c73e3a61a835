using System.Text.Json.Nodes;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// One binding as JSON, the shape shared by functions.metadata and the worker's raw_bindings:
/// name, type, direction and the binding's own properties (route, methods, queueName, schedule, ...).
/// </summary>
internal sealed record RawBinding(string Name, string Type, string Direction, JsonObject Json)
{
    public static RawBinding Parse(JsonNode? node)
    {
        var json = node as JsonObject ?? throw new FormatException($"A binding is not a JSON object: {node?.ToJsonString()}");
        return new RawBinding(Text(json, "name") ?? "", Text(json, "type") ?? "", Text(json, "direction") ?? "", json);
    }

    public static RawBinding Parse(string json) => Parse(JsonNode.Parse(json));

    public bool IsIn => Direction.Equals("In", StringComparison.OrdinalIgnoreCase);

    public bool IsTrigger => IsIn && Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>A property by name, case-insensitively (generators differ in "authLevel"/"AuthLevel").</summary>
    public string? Property(string name) => Text(Json, name);

    private static string? Text(JsonObject json, string name) =>
        json.FirstOrDefault(pair => pair.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value switch
        {
            null => null,
            JsonArray array => string.Join(",", array.Select(item => item?.ToString())),
            var value => value.ToString(),
        };
}
