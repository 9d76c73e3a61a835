using System.Text.Json.Nodes;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The messages a queue output binding carries in an InvocationResponse, as the host reads them: a JSON
/// array is one message per element, a string collection one per string, a single value one message.
/// </summary>
internal static class QueueOutput
{
    public static IReadOnlyList<string> Messages(TypedData? data) => data?.DataCase switch
    {
        null or TypedData.DataOneofCase.None => [],
        TypedData.DataOneofCase.CollectionString => data.CollectionString.String.ToArray(),
        TypedData.DataOneofCase.Json when JsonNode.Parse(data.Json) is JsonArray array =>
            array.Select(item => item is JsonValue value && value.TryGetValue(out string? text) ? text : item?.ToJsonString() ?? "null").ToArray(),
        TypedData.DataOneofCase.Json when data.Json == "null" => [],
        TypedData.DataOneofCase.Json => [data.Json],
        TypedData.DataOneofCase.String => [data.String],
        _ => [MessageSummary.Of(data)],
    };

    /// <summary>The output binding of a function whose queueName is the given queue (from the worker's raw bindings).</summary>
    public static string? BindingFor(RpcFunctionMetadata function, string queueName) =>
        function.RawBindings.Select(RawBinding.Parse)
            .FirstOrDefault(binding => !binding.IsIn && binding.Type.Equals("queue", StringComparison.OrdinalIgnoreCase)
                                       && binding.Property("queueName") == queueName)
            ?.Name;
}
