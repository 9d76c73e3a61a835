using TokenBroker.Jobs;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Queues;
using TokenBroker.Tests.Infra.Support;
using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Tests.Infra;

/// <summary>Every queue the function table triggers on or writes to, and its poison queue, exists in the template.</summary>
public class TemplateQueueTests
{
    [Fact]
    public void Every_queue_of_the_product_function_table_and_its_poison_queue_is_created()
    {
        Assert.Empty(TemplateQueues.Missing(BrokerFunctions.Catalog, AzureTemplate.Deploy()));
    }

    [Fact]
    public void A_table_queue_the_template_lacks_is_reported_with_its_poison_queue()
    {
        var table = FunctionCatalog.ForTypes([typeof(UnusedQueueFunction)]);

        var missing = TemplateQueues.Missing(table, AzureTemplate.Deploy());

        Assert.Equal(["archive-requests", "archive-requests-poison"], missing);
    }

    [Fact]
    public void Every_queue_the_template_creates_has_a_name_azure_accepts()
    {
        foreach (var queue in AzureTemplate.Deploy().QueueNames)
            Assert.True(QueueNames.IsValid(queue), $"'{queue}' is not a valid Azure queue name.");
    }

    public sealed class UnusedQueueFunction
    {
        [Function("Archive")]
        public ArchiveOutputs Run([QueueTrigger("archive-requests")] string message) => throw new NotSupportedException();
    }

    public sealed class ArchiveOutputs
    {
        [QueueOutput("broker-events")]
        public string? Done { get; init; }
    }
}
