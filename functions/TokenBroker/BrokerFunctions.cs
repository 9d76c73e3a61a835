using TokenBroker.Hosting.Functions;

namespace TokenBroker;

/// <summary>The product's functions: every <c>[Function]</c> method of this assembly (see the Functions folder).</summary>
public static class BrokerFunctions
{
    public static FunctionCatalog Catalog { get; } = FunctionCatalog.ForAssembly(typeof(BrokerFunctions).Assembly);
}
