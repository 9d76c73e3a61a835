using System.Text.Json.Nodes;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// Where the functions a worker reports (FunctionMetadataResponse) differ from the publish folder's
/// functions.metadata: the function names, each function's entry point and script file, and each
/// binding's type, direction and the properties the host acts on.
/// </summary>
internal static class MetadataComparison
{
    /// <summary>Compared on every binding; absent on both sides counts as equal.</summary>
    private static readonly string[] ComparedProperties =
        ["type", "direction", "dataType", "route", "methods", "authLevel", "queueName", "connection", "schedule", "runOnStartup", "useMonitor"];

    public static IReadOnlyList<string> Differences(string functionsMetadataJson, IEnumerable<RpcFunctionMetadata> reported)
    {
        var expected = (JsonNode.Parse(functionsMetadataJson) as JsonArray ?? throw new FormatException("functions.metadata is not a JSON array."))
            .Select(function => function as JsonObject ?? throw new FormatException("A function in functions.metadata is not an object."))
            .ToDictionary(function => Text(function, "name"), StringComparer.Ordinal);
        var actual = reported.ToDictionary(function => function.Name, StringComparer.Ordinal);
        var differences = new List<string>();

        foreach (var name in expected.Keys.Except(actual.Keys))
            differences.Add($"{name}: in functions.metadata, not reported by the worker");
        foreach (var name in actual.Keys.Except(expected.Keys))
            differences.Add($"{name}: reported by the worker, not in functions.metadata");

        foreach (var name in expected.Keys.Intersect(actual.Keys))
            differences.AddRange(FunctionDifferences(name, expected[name], actual[name]));
        return differences;
    }

    private static IEnumerable<string> FunctionDifferences(string name, JsonObject expected, RpcFunctionMetadata actual)
    {
        if (Text(expected, "entryPoint") != actual.EntryPoint)
            yield return $"{name}: entry point {actual.EntryPoint}, functions.metadata says {Text(expected, "entryPoint")}";
        if (Text(expected, "scriptFile") != actual.ScriptFile)
            yield return $"{name}: script file {actual.ScriptFile}, functions.metadata says {Text(expected, "scriptFile")}";

        var expectedBindings = (expected["bindings"] as JsonArray ?? []).Select(RawBinding.Parse).ToDictionary(binding => binding.Name, StringComparer.Ordinal);
        var actualBindings = actual.RawBindings.Select(RawBinding.Parse).ToDictionary(binding => binding.Name, StringComparer.Ordinal);

        foreach (var binding in expectedBindings.Keys.Except(actualBindings.Keys))
            yield return $"{name}: binding {binding} is in functions.metadata, not in the worker's raw bindings";
        foreach (var binding in actualBindings.Keys.Except(expectedBindings.Keys))
            yield return $"{name}: binding {binding} is in the worker's raw bindings, not in functions.metadata";

        foreach (var binding in expectedBindings.Keys.Intersect(actualBindings.Keys))
        {
            foreach (var property in ComparedProperties)
            {
                var want = expectedBindings[binding].Property(property);
                var got = actualBindings[binding].Property(property);
                if (!string.Equals(want, got, StringComparison.OrdinalIgnoreCase))
                    yield return $"{name}: binding {binding} {property} is {got ?? "(absent)"}, functions.metadata says {want ?? "(absent)"}";
            }
        }

        // The structured binding map, when the worker fills it, must agree with the raw bindings.
        foreach (var (binding, info) in actual.Bindings)
        {
            if (!actualBindings.TryGetValue(binding, out var raw))
                yield return $"{name}: binding {binding} is in the worker's binding map, not in its raw bindings";
            else if (!string.Equals(info.Type, raw.Type, StringComparison.OrdinalIgnoreCase)
                     || !string.Equals(info.Direction.ToString(), raw.Direction, StringComparison.OrdinalIgnoreCase))
                yield return $"{name}: binding {binding} is {info.Direction} {info.Type} in the worker's binding map, {raw.Direction} {raw.Type} in its raw bindings";
        }
    }

    private static string Text(JsonObject json, string property) => json[property]?.GetValue<string>() ?? "";
}
