namespace TokenBroker.Hosting;

/// <summary>Which face runs: the isolated worker under the Azure Functions host, or the standalone host.</summary>
public enum HostingMode { Standalone, FunctionsWorker }

/// <summary>The running mode as a service, for endpoints that report it.</summary>
public sealed record HostingModeInfo(HostingMode Mode)
{
    public string Name => Mode == HostingMode.FunctionsWorker ? "functions-worker" : "standalone";

    /// <summary>The arguments the Functions host starts a worker with (the current form, then the older one).</summary>
    private static readonly string[] WorkerArguments = ["--functions-uri", "--functions-worker-id", "--workerId"];

    /// <summary>The Functions host announces itself by the arguments it starts the worker with.</summary>
    public static HostingMode Detect(IEnumerable<string> args) =>
        args.Any(arg => WorkerArguments.Any(name => arg.Equals(name, StringComparison.OrdinalIgnoreCase) || arg.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase)))
            ? HostingMode.FunctionsWorker
            : HostingMode.Standalone;
}
