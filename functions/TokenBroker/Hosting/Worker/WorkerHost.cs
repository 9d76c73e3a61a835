using Microsoft.Azure.Functions.Worker.Builder;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.Worker;

/// <summary>
/// The face the Azure Functions host starts: the isolated worker, which dials the host over gRPC, reports the functions
/// of functions.metadata and runs the same <c>[Function]</c> classes, with the host doing triggers, keys and outputs.
/// </summary>
public static class WorkerHost
{
    public static Task<int> RunAsync(string[] args) =>
        ConfigurationErrors.RunAsync(() =>
        {
            var builder = FunctionsApplication.CreateBuilder(args);
            builder.ConfigureFunctionsWebApplication();
            builder.Services.AddBroker(builder.Configuration, HostingMode.FunctionsWorker, FunctionCatalog.ForAssembly(typeof(WorkerHost).Assembly));
            return builder.Build();
        }, CancellationToken.None);
}
