using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>The messages the Functions host (v4) sends a worker, shaped as the host shapes them.</summary>
internal static class HostMessages
{
    public const string HostVersion = "4.1044.400.0";

    /// <summary>The host writes JSON with Newtonsoft, which leaves '+' and quotes in strings unescaped.</summary>
    private static readonly JsonSerializerOptions AsTheHostWrites = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static StreamingMessage WorkerInit(string appDirectory)
    {
        var request = new WorkerInitRequest
        {
            HostVersion = HostVersion,
            // For an isolated worker started from the app folder, worker.config.json lives there too.
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        };
        // The host advertises that it accepts several streams per worker.
        request.Capabilities.Add("MultiStream", "10");
        return Envelope(message => message.WorkerInitRequest = request);
    }

    public static StreamingMessage FunctionsMetadata(string appDirectory) =>
        Envelope(message => message.FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory });

    /// <summary>
    /// A load request built from what the worker reported, as the host does for worker-indexed functions:
    /// the worker's function id and names, bindings parsed from its raw bindings (type, direction, data type).
    /// </summary>
    public static StreamingMessage Load(RpcFunctionMetadata reported)
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = reported.Name,
            Directory = reported.Directory,
            EntryPoint = reported.EntryPoint,
            ScriptFile = reported.ScriptFile,
            IsProxy = false,
        };
        foreach (var binding in reported.RawBindings.Select(RawBinding.Parse))
            metadata.Bindings.Add(binding.Name, ToBindingInfo(binding));
        metadata.Properties.Add(reported.Properties);
        return Envelope(message => message.FunctionLoadRequest = new FunctionLoadRequest { FunctionId = reported.FunctionId, Metadata = metadata });
    }

    private static BindingInfo ToBindingInfo(RawBinding binding)
    {
        var info = new BindingInfo
        {
            Type = binding.Type,
            Direction = Enum.Parse<BindingInfo.Types.Direction>(binding.Direction, ignoreCase: true),
        };
        if (binding.Property("dataType") is { Length: > 0 } dataType)
            info.DataType = Enum.Parse<BindingInfo.Types.DataType>(dataType, ignoreCase: true);
        return info;
    }

    /// <summary>
    /// An HTTP trigger invocation while the worker proxies HTTP: the request itself goes to the worker's
    /// HttpUri, so the trigger input is an empty RpcHttp; the request object is left out of the trigger
    /// metadata (the worker declares RpcHttpTriggerMetadataRemoved), its query and headers stay in as JSON.
    /// </summary>
    public static StreamingMessage HttpInvocation(string invocationId, string functionId, string triggerName, IReadOnlyDictionary<string, string> headers)
    {
        var request = Invocation(invocationId, functionId);
        request.InputData.Add(new ParameterBinding { Name = triggerName, Data = new TypedData { Http = new RpcHttp() } });
        request.TriggerMetadata.Add("Query", new TypedData { Json = "{}" });
        request.TriggerMetadata.Add("Headers", new TypedData { Json = JsonSerializer.Serialize(headers, AsTheHostWrites) });
        return Envelope(message => message.InvocationRequest = request);
    }

    /// <summary>A timer invocation: the host serializes its TimerInfo (PascalCase, as Newtonsoft writes it).</summary>
    public static StreamingMessage TimerInvocation(string invocationId, string functionId, string triggerName, DateTimeOffset now)
    {
        var timerInfo = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject
            {
                ["Last"] = Timestamp(now.AddMinutes(-5)),
                ["Next"] = Timestamp(now.AddMinutes(5)),
                ["LastUpdated"] = Timestamp(now.AddMinutes(-5)),
            },
            ["IsPastDue"] = false,
        };
        var request = Invocation(invocationId, functionId);
        request.InputData.Add(new ParameterBinding { Name = triggerName, Data = new TypedData { Json = timerInfo.ToJsonString(AsTheHostWrites) } });
        return Envelope(message => message.InvocationRequest = request);
    }

    /// <summary>
    /// A queue trigger invocation: the message as a string input, and the queue trigger's binding data
    /// (strings as strings; DequeueCount and the times as JSON, as the host converts them).
    /// </summary>
    public static StreamingMessage QueueInvocation(
        string invocationId, string functionId, string triggerName, string queueMessage, string messageId, long dequeueCount, DateTimeOffset now)
    {
        var request = Invocation(invocationId, functionId);
        request.InputData.Add(new ParameterBinding { Name = triggerName, Data = new TypedData { String = queueMessage } });
        request.TriggerMetadata.Add("QueueTrigger", new TypedData { String = queueMessage });
        request.TriggerMetadata.Add("Id", new TypedData { String = messageId });
        request.TriggerMetadata.Add("PopReceipt", new TypedData { String = "AgAAAAMAAAAAAAAA" });
        request.TriggerMetadata.Add("DequeueCount", new TypedData { Json = dequeueCount.ToString(CultureInfo.InvariantCulture) });
        request.TriggerMetadata.Add("InsertionTime", new TypedData { Json = JsonSerializer.Serialize(Timestamp(now.AddSeconds(-1)), AsTheHostWrites) });
        request.TriggerMetadata.Add("NextVisibleTime", new TypedData { Json = JsonSerializer.Serialize(Timestamp(now.AddMinutes(10)), AsTheHostWrites) });
        request.TriggerMetadata.Add("ExpirationTime", new TypedData { Json = JsonSerializer.Serialize(Timestamp(now.AddDays(7)), AsTheHostWrites) });
        return Envelope(message => message.InvocationRequest = request);
    }

    /// <summary>Every invocation carries a trace context; the worker reads it unconditionally.</summary>
    private static InvocationRequest Invocation(string invocationId, string functionId) => new()
    {
        InvocationId = invocationId,
        FunctionId = functionId,
        TraceContext = new RpcTraceContext
        {
            TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
            TraceState = "",
        },
    };

    private static string Timestamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static StreamingMessage Envelope(Action<StreamingMessage> fill)
    {
        var message = new StreamingMessage { RequestId = Guid.NewGuid().ToString() };
        fill(message);
        return message;
    }
}
