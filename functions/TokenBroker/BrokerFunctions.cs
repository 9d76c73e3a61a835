using TokenBroker.Hosting;
using TokenBroker.Hosting.Health;

namespace TokenBroker;

/// <summary>The product's function table: every function TokenBroker runs, with its trigger.</summary>
public static class BrokerFunctions
{
    public static FunctionTable Table { get; } = new(
    [
        HealthApi.Function,
    ]);
}
