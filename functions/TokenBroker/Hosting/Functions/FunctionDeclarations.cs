using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Hosting.Functions;

/// <summary>Short forms for declaring functions in a table; handler types are created from DI per invocation.</summary>
public static class FunctionDeclarations
{
    public static HttpFunction Http(string name, string route, string method, HttpAuthLevel authLevel, Delegate handler) =>
        new(name, route, [method], authLevel, handler);

    public static TimerFunction Timer<THandler>(string name, string schedule, bool runOnStartup = false, bool useMonitor = true, params QueueOutputBinding[] outputs)
        where THandler : ITimerFunction =>
        new(name, schedule, runOnStartup, useMonitor, services => ActivatorUtilities.CreateInstance<THandler>(services)) { Outputs = outputs };

    public static QueueFunction Queue<THandler>(string name, string queueName, params QueueOutputBinding[] outputs)
        where THandler : IQueueFunction =>
        new(name, queueName, FunctionTable.DefaultConnection, outputs, services => ActivatorUtilities.CreateInstance<THandler>(services));

    public static QueueOutputBinding QueueOutput(string bindingName, string queueName) =>
        new(bindingName, queueName, FunctionTable.DefaultConnection);
}
