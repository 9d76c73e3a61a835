using System.Reflection;

namespace TokenBroker.Tests.Hosting;

/// <summary>No type of the broker shares a name with a public type of the Functions worker: a reader (and a `using`) must never mistake one for the other.</summary>
public class WorkerTypeNameTests
{
    [Fact]
    public void No_broker_type_is_named_like_a_public_type_of_the_functions_worker()
    {
        var worker = typeof(Microsoft.Azure.Functions.Worker.FunctionContext).Assembly;
        var workerAssemblies = new[]
        {
            worker,
            typeof(Microsoft.Azure.Functions.Worker.TimerInfo).Assembly,
            typeof(Microsoft.Azure.Functions.Worker.QueueTriggerAttribute).Assembly,
            typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute).Assembly,
            typeof(Microsoft.Azure.Functions.Worker.Extensions.Abstractions.OutputBindingAttribute).Assembly,
        };
        var workerNames = workerAssemblies.SelectMany(a => a.GetExportedTypes()).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

        var clashes = typeof(BrokerFunctions).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("TokenBroker", StringComparison.Ordinal) == true && !t.IsNested && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null)
            .Select(t => t.Name)
            .Where(workerNames.Contains)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(clashes);
    }
}
