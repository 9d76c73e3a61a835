using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Queues;

using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.Standalone;

/// <summary>Runs a <see cref="QueueListener"/> for every queue function in the catalog (standalone mode only).</summary>
internal sealed class QueueListenerService(
    FunctionCatalog table,
    IQueueTransport transport,
    FunctionInvoker invoker,
    IOptions<QueueHostingOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: Kestrel starts listening while the listeners open the queue database.
        await Task.Yield();
        var listeners = table.Queues.Select(function => new QueueListener(
            function,
            SettingReference.Resolve(function.QueueName, configuration),
            OutputBindingWriter.Resolve(function.Outputs, name => SettingReference.Resolve(name, configuration)),
            transport,
            invoker,
            options.Value,
            time,
            loggers.CreateLogger($"QueueListener.{function.Name}")));
        await Task.WhenAll(listeners.Select(l => l.RunAsync(stoppingToken)));
    }
}
