using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>One line per protocol message for failure reports: its kind and what matters in it.</summary>
internal static class MessageSummary
{
    private const int MaxText = 400;

    public static string Of(StreamingMessage message) => message.ContentCase switch
    {
        StreamingMessage.ContentOneofCase.RpcLog =>
            $"RpcLog {message.RpcLog.Level} [{message.RpcLog.Category}] {Cut(message.RpcLog.Message)}" +
            (message.RpcLog.Exception is { } ex ? $" exception: {Cut(ex.Message)}" : ""),
        StreamingMessage.ContentOneofCase.StartStream => $"StartStream worker_id={message.StartStream.WorkerId}",
        StreamingMessage.ContentOneofCase.WorkerInitRequest => $"WorkerInitRequest host_version={message.WorkerInitRequest.HostVersion}",
        StreamingMessage.ContentOneofCase.WorkerInitResponse =>
            $"WorkerInitResponse {Of(message.WorkerInitResponse.Result)} capabilities: " +
            string.Join(", ", message.WorkerInitResponse.Capabilities.Select(pair => $"{pair.Key}={pair.Value}")),
        StreamingMessage.ContentOneofCase.FunctionsMetadataRequest => "FunctionsMetadataRequest",
        StreamingMessage.ContentOneofCase.FunctionMetadataResponse =>
            $"FunctionMetadataResponse {Of(message.FunctionMetadataResponse.Result)} functions: " +
            string.Join(", ", message.FunctionMetadataResponse.FunctionMetadataResults.Select(function => function.Name)),
        StreamingMessage.ContentOneofCase.FunctionLoadRequest =>
            $"FunctionLoadRequest {message.FunctionLoadRequest.Metadata.Name} ({message.FunctionLoadRequest.FunctionId})",
        StreamingMessage.ContentOneofCase.FunctionLoadResponse =>
            $"FunctionLoadResponse {message.FunctionLoadResponse.FunctionId} {Of(message.FunctionLoadResponse.Result)}",
        StreamingMessage.ContentOneofCase.InvocationRequest =>
            $"InvocationRequest {message.InvocationRequest.InvocationId} function {message.InvocationRequest.FunctionId} inputs: " +
            string.Join(", ", message.InvocationRequest.InputData.Select(binding => $"{binding.Name}={Of(binding.Data)}")),
        StreamingMessage.ContentOneofCase.InvocationResponse =>
            $"InvocationResponse {message.InvocationResponse.InvocationId} {Of(message.InvocationResponse.Result)} outputs: " +
            string.Join(", ", message.InvocationResponse.OutputData.Select(binding => $"{binding.Name}={Of(binding.Data)}")) +
            (message.InvocationResponse.ReturnValue is { } returned ? $" return: {Of(returned)}" : ""),
        _ => $"(a message this host does not read, {message.CalculateSize()} bytes)",
    };

    public static string Of(StatusResult? result) => result switch
    {
        null => "(no result)",
        { Exception: { } ex } => $"{result.Status}: {Cut(ex.Message)}",
        _ => result.Status.ToString(),
    };

    public static string Of(TypedData? data) => data?.DataCase switch
    {
        null or TypedData.DataOneofCase.None => "(none)",
        TypedData.DataOneofCase.String => $"string {Cut(data.String)}",
        TypedData.DataOneofCase.Json => $"json {Cut(data.Json)}",
        TypedData.DataOneofCase.Bytes => $"bytes[{data.Bytes.Length}]",
        TypedData.DataOneofCase.Http => "http",
        TypedData.DataOneofCase.Int => $"int {data.Int}",
        TypedData.DataOneofCase.CollectionString => $"strings [{string.Join(", ", data.CollectionString.String.Select(Cut))}]",
        _ => data.DataCase.ToString(),
    };

    private static string Cut(string text) => text.Length <= MaxText ? text : text[..MaxText] + "…";
}
