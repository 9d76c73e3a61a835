using System.Text.RegularExpressions;
using TokenBroker.Hosting.Packaging;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>Every queue the worker's functions trigger on or write to (functions.metadata), and each trigger's poison queue, exists in the template.</summary>
public partial class TemplateQueueTests
{
    [Fact]
    public void Every_queue_of_the_worker_functions_and_each_trigger_poison_queue_is_created()
    {
        var metadata = WorkerMetadata.Load();

        Assert.NotEmpty(metadata.QueueBindings);
        Assert.Empty(TemplateQueues.Missing(metadata, AzureTemplate.Deploy()));
    }

    [Fact]
    public void Every_queue_connection_of_the_worker_functions_is_identity_based_in_the_template()
    {
        var settings = AzureTemplate.Deploy().KnownAppSettings;

        foreach (var connection in WorkerMetadata.Load().QueueBindings.Select(b => b.Connection).Distinct())
        {
            Assert.Equal("managedidentity", settings[$"{connection}__credential"]);
            Assert.True(settings.ContainsKey($"{connection}__accountName"), $"The template gives '{connection}' no account: set {connection}__accountName.");
            Assert.False(settings.ContainsKey(connection), $"'{connection}' would be a connection string; the template must use {connection}__accountName.");
        }
    }

    [Fact]
    public void A_queue_the_template_lacks_is_reported_with_its_poison_queue_and_an_output_queue_without_one()
    {
        var metadata = FunctionsMetadata.Parse("""
            [{"name":"Archive","bindings":[
              {"name":"message","direction":"In","type":"queueTrigger","queueName":"archive-requests","connection":"AzureWebJobsStorage"},
              {"name":"Done","direction":"Out","type":"queue","queueName":"archive-done"},
              {"name":"Events","direction":"Out","type":"queue","queueName":"broker-events"}]}]
            """);

        var missing = TemplateQueues.Missing(metadata, AzureTemplate.Deploy());

        Assert.Equal(["archive-requests", "archive-requests-poison", "archive-done"], missing);
    }

    [Fact]
    public void A_queue_name_given_as_a_setting_reference_is_resolved_through_the_template_app_settings()
    {
        var metadata = FunctionsMetadata.Parse("""
            [{"name":"Worker","bindings":[{"name":"message","direction":"In","type":"queueTrigger","queueName":"%Queues__Connection%"}]}]
            """);

        // Any app setting does for the resolution; its value is not a queue of the template.
        Assert.Equal(["AzureWebJobsStorage", "AzureWebJobsStorage-poison"], TemplateQueues.Missing(metadata, AzureTemplate.Deploy()));
    }

    [Fact]
    public void A_queue_name_referring_to_a_setting_the_template_lacks_fails_naming_it()
    {
        var metadata = FunctionsMetadata.Parse("""
            [{"name":"Worker","bindings":[{"name":"message","direction":"In","type":"queueTrigger","queueName":"%NoSuchQueueSetting%"}]}]
            """);

        var error = Assert.Throws<InvalidOperationException>(() => TemplateQueues.Missing(metadata, AzureTemplate.Deploy()));

        Assert.Contains("%NoSuchQueueSetting%", error.Message);
    }

    [Fact]
    public void Every_queue_the_template_creates_has_a_name_azure_accepts()
    {
        foreach (var queue in AzureTemplate.Deploy().QueueNames)
            Assert.True(AzureQueueName().IsMatch(queue), $"'{queue}' is not a valid Azure queue name.");
    }

    /// <summary>Azure's rule: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")]
    private static partial Regex AzureQueueName();
}
