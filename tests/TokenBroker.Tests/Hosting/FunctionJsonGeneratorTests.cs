using System.Text.Json.Nodes;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Packaging;
using TokenBroker.Tests.Hosting.Support;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

namespace TokenBroker.Tests.Hosting;

public class FunctionJsonGeneratorTests
{
    [Fact]
    public void An_http_function_becomes_an_http_trigger_with_route_methods_auth_level_and_an_http_output()
    {
        var json = FunctionJsonGenerator.Generate(Http("Consent", "consent/start", "GET", HttpAuthLevel.Function, () => "x"));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"bindings":[
              {"type":"httpTrigger","direction":"in","name":"req","authLevel":"function","methods":["get"],"route":"consent/start"},
              {"type":"http","direction":"out","name":"res"}]}
            """), json), json.ToJsonString());
    }

    [Fact]
    public void A_timer_function_keeps_its_setting_reference_schedule_and_startup_flags()
    {
        var json = FunctionJsonGenerator.Generate(Timer<RecordingTimerFunction>("Refresh", "%RefreshSchedule%", runOnStartup: true));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"bindings":[{"type":"timerTrigger","direction":"in","name":"timer","schedule":"%RefreshSchedule%","runOnStartup":true,"useMonitor":true}]}
            """), json), json.ToJsonString());
    }

    [Fact]
    public void A_timer_function_declares_its_output_queues_like_a_queue_function()
    {
        var json = FunctionJsonGenerator.Generate(Timer<RecordingTimerFunction>("Refresh", "%RefreshSchedule%", outputs: QueueOutput("events", "broker-events")));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"bindings":[
              {"type":"timerTrigger","direction":"in","name":"timer","schedule":"%RefreshSchedule%","runOnStartup":false,"useMonitor":true},
              {"type":"queue","direction":"out","name":"events","queueName":"broker-events","connection":"AzureWebJobsStorage"}]}
            """), json), json.ToJsonString());
    }

    [Fact]
    public void A_queue_function_declares_its_trigger_queue_connection_and_output_queues()
    {
        var json = FunctionJsonGenerator.Generate(Queue<RecordingQueueFunction>("Mail", "mail-requests", QueueOutput("events", "broker-events")));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"bindings":[
              {"type":"queueTrigger","direction":"in","name":"message","queueName":"mail-requests","connection":"AzureWebJobsStorage"},
              {"type":"queue","direction":"out","name":"events","queueName":"broker-events","connection":"AzureWebJobsStorage"}]}
            """), json), json.ToJsonString());
    }

    [Fact]
    public void Host_json_starts_the_tokenbroker_executable_and_forwards_http_requests()
    {
        var host = HostJsonGenerator.Generate(new QueueHostingOptions());

        Assert.Equal("2.0", (string?)host["version"]);
        Assert.Equal("tokenbroker", (string?)host["customHandler"]!["description"]!["defaultExecutablePath"]);
        Assert.True((bool?)host["customHandler"]!["enableForwardingHttpRequest"]);
        Assert.Equal(5, (int?)host["extensions"]!["queues"]!["maxDequeueCount"]);
        Assert.Equal("base64", (string?)host["extensions"]!["queues"]!["messageEncoding"]);
    }

    [Fact]
    public void The_repository_host_json_is_exactly_the_generated_one()
    {
        var repositoryHostJson = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json"));

        Assert.Equal(FunctionPackage.Serialize(HostJsonGenerator.Generate(new QueueHostingOptions())), repositoryHostJson);
    }

    [Fact]
    public void Package_descriptors_have_one_folder_with_a_function_json_per_table_entry()
    {
        var directory = Directory.CreateTempSubdirectory("package-").FullName;
        var table = TestTables.Spine();

        FunctionPackage.WriteDescriptors(directory, table, new QueueHostingOptions(), [new("RefreshSchedule", "0 0 * * * *")]);

        foreach (var function in table.Functions)
        {
            var written = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, function.Name, "function.json")));
            Assert.True(JsonNode.DeepEquals(FunctionJsonGenerator.Generate(function), written), function.Name);
        }
        Assert.Equal(table.Functions.Count, Directory.GetDirectories(directory).Length);
        var localSettings = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "local.settings.json")))!;
        Assert.Equal("custom", (string?)localSettings["Values"]!["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("0 0 * * * *", (string?)localSettings["Values"]!["RefreshSchedule"]);
    }
}
