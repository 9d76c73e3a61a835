using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using TokenBroker.Tests.Hosting.WorkerProtocol;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;
using MessageKind = TokenBroker.Tests.Hosting.WorkerProtocol.Rpc.StreamingMessage.ContentOneofCase;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The worker face: the published isolated worker started as the Functions host starts it (worker.config.json:
/// <c>dotnet tokenbroker.dll --functions-uri ...</c>) and driven over FunctionRpc by the tests' stand-in for the host
/// (tests/TokenBroker.Tests/Hosting/WorkerProtocol, linked). Per run, from process start to: the StartStream it opens
/// with; the WorkerInitResponse (sent as soon as StartStream arrives); the FunctionMetadataResponse (asked as soon as
/// init answers); every FunctionLoadResponse; its HTTP listener (the HttpUri capability) accepting, polled once the
/// functions are loaded; and the first HTTP
/// invocation answered (Health, proxied as the host proxies it, with its InvocationResponse). Plus the worker's CPU time
/// at the metadata answer and at the Health answer.
/// Arguments: <c>[--runs N=10] [--warmup N=1] [--trace] [publish-dir ...]</c> (several folders: A/B, interleaved).
/// The host's own start (its gRPC server) is not timed: the host has it up before it starts the worker.
/// </summary>
public sealed class WorkerStartupBenchmark : IBenchmark
{
    private const string HealthFunction = "Health";

    public string Name => "worker-startup";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = StartupArguments.Parse(args);
        var figures = arguments.Folders.ToDictionary(folder => folder, _ => new Figures());
        Console.WriteLine($"{arguments.Folders.Count} folder(s), {arguments.Warmup} warm-up + {arguments.Runs} runs each, {Machine.Cores} cores" +
                          (arguments.Trace ? ", TOKENBROKER_STARTUP_TRACE=1" : ""));

        for (var warmup = 0; warmup < arguments.Warmup; warmup++)
        {
            foreach (var folder in arguments.Folders)
                await TimeOneStartAsync(folder, arguments.Trace, cancellationToken);
        }

        var loadBefore = Machine.LoadAverage();
        for (var run = 1; run <= arguments.Runs; run++)
        {
            foreach (var folder in arguments.Folders)
            {
                var start = await TimeOneStartAsync(folder, arguments.Trace, cancellationToken);
                figures[folder].Add(start);
                Console.WriteLine(
                    FormattableString.Invariant($"  run {run,2} {folder}: StartStream {start.StartStream,4:F0}, init {start.Init,4:F0}, metadata {start.Metadata,4:F0}, ") +
                    FormattableString.Invariant($"{start.Functions} loaded {start.Loaded,4:F0}, HTTP listening {start.Listening,4:F0}, Health answered {start.Health,4:F0} ms (again: {start.SecondHealth,3:F0} ms); ") +
                    FormattableString.Invariant($"CPU {start.MetadataCpu,4:F0} / {start.HealthCpu,4:F0} ms"));
            }
        }
        var loadAfter = Machine.LoadAverage();

        foreach (var folder in arguments.Folders)
        {
            var f = figures[folder];
            Console.WriteLine($"{folder} ({Started(folder)} --functions-uri ...), {f.Init.Count} runs, process start ->");
            Console.WriteLine($"  (a) StartStream received:                {f.StartStream}");
            Console.WriteLine($"  (b) WorkerInitResponse received:         {f.Init}");
            Console.WriteLine($"  (c) FunctionMetadataResponse received:   {f.Metadata}");
            Console.WriteLine($"      every FunctionLoadResponse received: {f.Loaded}");
            Console.WriteLine($"      HttpUri accepting (polled after):    {f.Listening}");
            Console.WriteLine($"  (d) first HTTP invocation (Health) answered: {f.Health}");
            Console.WriteLine($"      a second Health invocation took:     {f.SecondHealth}");
            Console.WriteLine($"  worker CPU time by (c):                  {f.MetadataCpu}");
            Console.WriteLine($"  worker CPU time by (d):                  {f.HealthCpu}");
            if (arguments.Trace)
            {
                Console.WriteLine("  start-up trace milestones (ms since process start):");
                f.Milestones.Print("    ");
            }
        }
        Console.WriteLine($"load average (1, 5, 15 min): before {loadBefore}, after {loadAfter}");
    }

    private sealed record OneStart(
        double StartStream, double Init, double Metadata, int Functions, double Loaded, double Listening, double Health, double SecondHealth,
        double MetadataCpu, double HealthCpu, string WorkerOutput);

    private sealed class Figures
    {
        public Series StartStream { get; } = new();
        public Series Init { get; } = new();
        public Series Metadata { get; } = new();
        public Series Loaded { get; } = new();
        public Series Listening { get; } = new();
        public Series Health { get; } = new();
        public Series SecondHealth { get; } = new();
        public Series MetadataCpu { get; } = new();
        public Series HealthCpu { get; } = new();
        public StartupTraceMilestones Milestones { get; } = new();

        public void Add(OneStart start)
        {
            StartStream.Add(start.StartStream);
            Init.Add(start.Init);
            Metadata.Add(start.Metadata);
            Loaded.Add(start.Loaded);
            Listening.Add(start.Listening);
            Health.Add(start.Health);
            SecondHealth.Add(start.SecondHealth);
            MetadataCpu.Add(start.MetadataCpu);
            HealthCpu.Add(start.HealthCpu);
            Milestones.Add(start.WorkerOutput.Split('\n'));
        }
    }

    /// <summary>What the WorkerProtocol tests pass the worker as app settings, with a data folder of the run's own.</summary>
    private static Dictionary<string, string> AppSettings(string dataDirectory, bool trace)
    {
        var settings = new Dictionary<string, string>
        {
            ["TokenStore__Kind"] = "Embedded",
            ["Broker__DataDirectory"] = dataDirectory,
            ["Queues__Transport"] = "sqlite",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["RefreshSchedule"] = "0 */5 * * * *",
        };
        if (trace)
            settings["TOKENBROKER_STARTUP_TRACE"] = "1";
        return settings;
    }

    /// <summary>How worker.config.json says to start the worker, with the folder left out.</summary>
    private static string Started(string folder)
    {
        var description = WorkerDescription.Read(Locate(folder));
        return string.Join(' ', new[] { description.Executable }.Concat(description.ExecutableArguments)
                .Concat(description.WorkerPath is null ? [] : [description.WorkerPath]).Concat(description.WorkerArguments))
            .Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
    }

    /// <summary>The linked PublishFolder is found through TOKENBROKER_PUBLISH_DIR; it is pointed at each folder in turn.</summary>
    private static PublishFolder Locate(string folder)
    {
        Environment.SetEnvironmentVariable(PublishFolder.Variable, folder);
        return PublishFolder.Locate();
    }

    private static async Task<OneStart> TimeOneStartAsync(string path, bool trace, CancellationToken cancellationToken)
    {
        var folder = Locate(path);
        var timeout = WorkerSession.Timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await using var server = await HostRpcServer.StartAsync(limit.Token);
        var dataDirectory = Directory.CreateTempSubdirectory("tb-worker-startup-bench-");
        var workerId = Guid.NewGuid().ToString();
        WorkerStream? stream = null;
        WorkerProcess? process = null;
        try
        {
            var clock = Stopwatch.StartNew();
            process = WorkerProcess.Start(folder, server.Uri, workerId, Guid.NewGuid().ToString(), AppSettings(dataDirectory.FullName, trace));
            var worker = process;
            string Report(string? headline = null) =>
                (headline is null ? "" : headline + "\n") + "--- last protocol messages ---\n" +
                (stream?.Transcript() ?? "  (the worker never connected)") + "\n--- " + worker.Describe();

            stream = await server.AcceptAsync(timeout, process.Exited, () => Report());
            var connected = stream;
            async Task<(StreamingMessage Message, double At)> NextAsync(MessageKind kind, Func<StreamingMessage, bool>? matches = null)
            {
                var message = await connected.NextAsync(kind, matches ?? (_ => true), timeout, () => Report());
                return (message, clock.Elapsed.TotalMilliseconds);
            }
            void Require(bool condition, string headline)
            {
                if (!condition)
                    throw new InvalidOperationException(Report(headline));
            }

            // (a) The worker opens the stream with StartStream.
            var (startStream, startStreamAt) = await NextAsync(MessageKind.StartStream);
            Require(startStream.StartStream.WorkerId == workerId, $"StartStream named worker {startStream.StartStream.WorkerId}, not {workerId}.");
            // Found now (the fork has surely exec'd), to read the worker's CPU time later.
            var pid = Machine.ChildWithArgument(workerId);

            // (b) The host answers StartStream with WorkerInitRequest.
            await connected.SendAsync(HostMessages.WorkerInit(folder.Path), limit.Token);
            var (init, initAt) = await NextAsync(MessageKind.WorkerInitResponse);
            Require(init.WorkerInitResponse.Result?.Status == StatusResult.Types.Status.Success, "The worker did not initialize.");

            // (c) Then asks for the functions (worker indexing).
            await connected.SendAsync(HostMessages.FunctionsMetadata(folder.Path), limit.Token);
            var (metadata, metadataAt) = await NextAsync(MessageKind.FunctionMetadataResponse);
            var metadataCpu = pid is { } id1 ? Machine.CpuMilliseconds(id1) ?? double.NaN : double.NaN;
            Require(metadata.FunctionMetadataResponse.Result?.Status == StatusResult.Types.Status.Success, "The worker could not index its functions.");
            var functions = metadata.FunctionMetadataResponse.FunctionMetadataResults;

            // Loads one at a time, as for the .NET worker (no SupportsLoadResponseCollection); all sent, then all awaited.
            foreach (var function in functions)
                await connected.SendAsync(HostMessages.Load(function), limit.Token);
            var loadedAt = 0.0;
            foreach (var function in functions)
            {
                var (loaded, at) = await NextAsync(MessageKind.FunctionLoadResponse, message => message.FunctionLoadResponse.FunctionId == function.FunctionId);
                Require(loaded.FunctionLoadResponse.Result?.Status == StatusResult.Types.Status.Success, $"{function.Name} did not load.");
                loadedAt = Math.Max(loadedAt, at);
            }

            // (d) The first HTTP invocation: Health, proxied to the worker's HttpUri.
            var httpUri = init.WorkerInitResponse.Capabilities.TryGetValue("HttpUri", out var advertised)
                ? new Uri(advertised)
                : throw new InvalidOperationException(Report("The worker advertised no HttpUri."));
            // The linked proxy retries a refused connection every 100 ms; a 1 ms connect poll first keeps that grain out of (d).
            var listeningAt = await AcceptingAsync(httpUri, clock, limit.Token);
            var health = functions.SingleOrDefault(function => function.Name == HealthFunction)
                ?? throw new InvalidOperationException(Report($"The worker reported no function named {HealthFunction}."));
            var trigger = health.RawBindings.Select(RawBinding.Parse).Single(binding => binding.IsTrigger);
            var method = trigger.Property("methods")?.Split(',')[0] ?? "get";
            var route = $"{folder.RoutePrefix()}/{trigger.Property("route") ?? HealthFunction}";
            using var proxy = new HttpProxy();
            // Answered when the host has both the proxied HTTP answer and the InvocationResponse.
            async Task<double> InvokeHealthAsync()
            {
                var invocationId = Guid.NewGuid().ToString();
                // As the host does: start forwarding the request, then send the invocation.
                var answering = AnsweredAtAsync(proxy.ForwardAsync(httpUri, method, route, invocationId), clock);
                await connected.SendAsync(
                    HostMessages.HttpInvocation(invocationId, health.FunctionId, trigger.Name, proxy.ForwardedHeaders(invocationId)), limit.Token);
                var (response, respondedAt) = await NextAsync(MessageKind.InvocationResponse, message => message.InvocationResponse.InvocationId == invocationId);
                var (answer, answeredAt) = await answering;
                Require(response.InvocationResponse.Result?.Status == StatusResult.Types.Status.Success && answer.Status == 200,
                    $"{method.ToUpperInvariant()} {route} answered {answer}; the invocation ended {MessageSummary.Of(response.InvocationResponse.Result)}.");
                return Math.Max(respondedAt, answeredAt);
            }
            var healthAt = await InvokeHealthAsync();
            var healthCpu = pid is { } id2 ? Machine.CpuMilliseconds(id2) ?? double.NaN : double.NaN;
            // A second, warm one: what of (d) was the first invocation's one-time cost.
            var secondStartedAt = clock.Elapsed.TotalMilliseconds;
            var secondHealth = await InvokeHealthAsync() - secondStartedAt;

            if (trace)
                await Task.Delay(50, cancellationToken);
            return new OneStart(startStreamAt, initAt, metadataAt, functions.Count, loadedAt, listeningAt, healthAt, secondHealth, metadataCpu, healthCpu, process.Describe());
        }
        finally
        {
            if (process is not null)
                await process.DisposeAsync();
            stream?.Close();
            try
            {
                dataDirectory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder.
            }
        }
    }

    private static async Task<(ProxiedAnswer Answer, double At)> AnsweredAtAsync(Task<ProxiedAnswer> forwarding, Stopwatch clock)
    {
        var answer = await forwarding;
        return (answer, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>When the worker's HTTP listener first accepts a connection, polled 1 ms apart.</summary>
    private static async Task<double> AcceptingAsync(Uri uri, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(uri.Host, uri.Port, cancellationToken);
                return clock.Elapsed.TotalMilliseconds;
            }
            catch (SocketException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
    }
}
