using TokenBroker.Hosting.Packaging;

namespace TokenBroker.Tests.Hosting;

/// <summary>Reading the functions.metadata the isolated worker SDK generates.</summary>
public class FunctionsMetadataTests
{
    private static readonly FunctionsMetadata Sample = FunctionsMetadata.Parse("""
        [
          {"name":"Health","bindings":[{"name":"req","direction":"In","type":"httpTrigger","authLevel":"Anonymous","methods":["get"],"route":"health"},{"name":"$return","type":"http","direction":"Out"}]},
          {"name":"MailWorker","bindings":[
            {"name":"message","direction":"In","type":"queueTrigger","queueName":"mail-requests","connection":"MailStorage"},
            {"name":"Events","direction":"Out","type":"queue","queueName":"broker-events"}]},
          {"name":"RefreshTokens","bindings":[{"name":"timer","direction":"In","type":"timerTrigger","schedule":"%RefreshSchedule%"},
            {"name":"Out","direction":"Out","type":"queue","queueName":"%EventsQueue%-%Region%"}]},
          {"name":"NoBindings"}
        ]
        """);

    [Fact]
    public void It_lists_every_function_and_its_queue_bindings_with_their_triggers()
    {
        Assert.Equal(["Health", "MailWorker", "RefreshTokens", "NoBindings"], Sample.FunctionNames);
        Assert.Equal(["mail-requests", "broker-events", "%EventsQueue%-%Region%"], Sample.QueueBindings.Select(b => b.QueueName));
        Assert.Equal([true, false, false], Sample.QueueBindings.Select(b => b.IsQueueTrigger));
        Assert.Equal("MailWorker", Sample.QueueBindings.First().Function);
    }

    [Fact]
    public void A_storage_binding_without_a_connection_uses_azure_web_jobs_storage()
    {
        Assert.Equal(["MailStorage", "AzureWebJobsStorage", "AzureWebJobsStorage"], Sample.QueueBindings.Select(b => b.Connection));
    }

    [Fact]
    public void Setting_references_are_found_in_every_string_property_once()
    {
        Assert.Equal(["RefreshSchedule", "EventsQueue", "Region"], Sample.SettingReferences());
    }

    [Fact]
    public void A_missing_or_malformed_file_fails_with_a_sentence_naming_it()
    {
        var directory = Directory.CreateTempSubdirectory("metadata-").FullName;
        var path = Path.Combine(directory, FunctionsMetadata.FileName);

        Assert.Contains($"There is no functions.metadata at '{path}'", Assert.Throws<InvalidOperationException>(() => FunctionsMetadata.Load(path)).Message);
        File.WriteAllText(path, """{"name":"Health"}""");
        Assert.Contains($"'{path}' is not a valid functions.metadata", Assert.Throws<InvalidOperationException>(() => FunctionsMetadata.Load(path)).Message);
        Directory.Delete(directory, recursive: true);
    }
}
