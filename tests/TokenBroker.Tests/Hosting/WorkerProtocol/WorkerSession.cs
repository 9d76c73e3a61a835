using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;
using MessageKind = TokenBroker.Tests.Hosting.WorkerProtocol.Rpc.StreamingMessage.ContentOneofCase;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// A published worker started and initialized as the Functions host does it: gRPC server up, worker
/// process started, then StartStream, WorkerInit, FunctionsMetadata and one FunctionLoad per reported
/// function. Keeps every answer for the tests, and reports what the worker sent when something fails.
/// </summary>
internal sealed class WorkerSession : IAsyncDisposable
{
    /// <summary>The limit on every wait for the worker.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly HostRpcServer _server;
    private readonly DirectoryInfo _dataDirectory;
    private readonly List<FunctionLoadResponse> _loadResponses = [];
    private WorkerProcess? _process;
    private WorkerStream? _stream;

    private WorkerSession(PublishFolder folder, HostRpcServer server, DirectoryInfo dataDirectory)
    {
        Folder = folder;
        _server = server;
        _dataDirectory = dataDirectory;
    }

    public PublishFolder Folder { get; }

    public string WorkerId { get; } = Guid.NewGuid().ToString();

    public StartStream StartStream { get; private set; } = new();

    public WorkerInitResponse InitResponse { get; private set; } = new();

    public FunctionMetadataResponse MetadataResponse { get; private set; } = new();

    public IReadOnlyList<FunctionLoadResponse> LoadResponses => _loadResponses;

    /// <summary>The worker's ASP.NET Core address for proxied HTTP requests (its HttpUri capability).</summary>
    public Uri? HttpUri => InitResponse.Capabilities.TryGetValue("HttpUri", out var uri) ? new Uri(uri) : null;

    /// <summary>
    /// Settings TokenBroker needs to run without Azure, passed to the worker as app settings; the prototype
    /// ignores those it does not read.
    /// </summary>
    private Dictionary<string, string> AppSettings() => new()
    {
        ["TokenStore__Kind"] = "Embedded",
        ["Broker__DataDirectory"] = _dataDirectory.FullName,
        ["Queues__Transport"] = "sqlite",
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["RefreshSchedule"] = "0 */5 * * * *",
    };

    public static async Task<WorkerSession> StartAsync()
    {
        var folder = PublishFolder.Locate();
        using var limit = new CancellationTokenSource(Timeout);
        var server = await HostRpcServer.StartAsync(limit.Token);
        var session = new WorkerSession(folder, server, Directory.CreateTempSubdirectory("worker-protocol-"));
        try
        {
            await session.HandshakeAsync();
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task HandshakeAsync()
    {
        _process = WorkerProcess.Start(Folder, _server.Uri, WorkerId, requestId: Guid.NewGuid().ToString(), AppSettings());
        _stream = await _server.AcceptAsync(Timeout, _process.Exited, () => Report());

        StartStream = (await NextAsync(MessageKind.StartStream)).StartStream;

        await SendAsync(HostMessages.WorkerInit(Folder.Path));
        InitResponse = (await NextAsync(MessageKind.WorkerInitResponse)).WorkerInitResponse;
        Require(InitResponse.Result?.Status == StatusResult.Types.Status.Success, "The worker did not initialize");

        await SendAsync(HostMessages.FunctionsMetadata(Folder.Path));
        MetadataResponse = (await NextAsync(MessageKind.FunctionMetadataResponse)).FunctionMetadataResponse;
        Require(MetadataResponse.Result?.Status == StatusResult.Types.Status.Success, "The worker could not index its functions");

        // The .NET worker does not declare SupportsLoadResponseCollection, so the host loads one function at a time.
        foreach (var function in MetadataResponse.FunctionMetadataResults)
            await SendAsync(HostMessages.Load(function));
        foreach (var function in MetadataResponse.FunctionMetadataResults)
        {
            var loaded = await NextAsync(MessageKind.FunctionLoadResponse, message => message.FunctionLoadResponse.FunctionId == function.FunctionId);
            _loadResponses.Add(loaded.FunctionLoadResponse);
        }
    }

    public RpcFunctionMetadata Function(string name) =>
        MetadataResponse.FunctionMetadataResults.SingleOrDefault(function => function.Name == name)
        ?? throw new InvalidOperationException(Report($"The worker reported no function named {name}."));

    /// <summary>The trigger binding of a reported function, from its raw bindings.</summary>
    public RawBinding Trigger(string functionName) =>
        Function(functionName).RawBindings.Select(RawBinding.Parse).SingleOrDefault(binding => binding.IsTrigger)
        ?? throw new InvalidOperationException(Report($"The function {functionName} has no trigger binding."));

    /// <summary>Sends an InvocationRequest and waits for the InvocationResponse with the same invocation id.</summary>
    public async Task<InvocationResponse> InvokeAsync(StreamingMessage invocation)
    {
        await SendAsync(invocation);
        var id = invocation.InvocationRequest.InvocationId;
        var response = await NextAsync(MessageKind.InvocationResponse, message => message.InvocationResponse.InvocationId == id);
        return response.InvocationResponse;
    }

    private async Task SendAsync(StreamingMessage message)
    {
        using var limit = new CancellationTokenSource(Timeout);
        await Stream.SendAsync(message, limit.Token);
    }

    private Task<StreamingMessage> NextAsync(MessageKind kind, Func<StreamingMessage, bool>? matches = null) =>
        Stream.NextAsync(kind, matches ?? (_ => true), Timeout, () => Report());

    private WorkerStream Stream => _stream ?? throw new InvalidOperationException(Report("The worker has not connected."));

    private void Require(bool condition, string headline)
    {
        if (!condition)
            throw new InvalidOperationException(Report(headline));
    }

    /// <summary>A headline, the last protocol messages both ways and the worker process's state and output.</summary>
    public string Report(string? headline = null) =>
        (headline is null ? "" : headline + "\n") +
        "--- last protocol messages ---\n" + (_stream?.Transcript() ?? "  (the worker never connected)") + "\n" +
        "--- " + (_process?.Describe() ?? "worker process not started");

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        _stream?.Close();
        await _server.DisposeAsync();
        try
        {
            _dataDirectory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temp folder.
        }
    }
}
