using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

public class FunctionCatalogTests
{
    [Fact]
    public void A_function_name_declared_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => FunctionCatalog.ForTypes([typeof(RecordingQueueFunction), typeof(AnotherWork)]));
        Assert.Contains("is declared more than once", error.Message);
    }

    [Fact]
    public void A_function_name_that_is_not_a_safe_name_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => FunctionCatalog.ForTypes([typeof(BadlyNamed)]));
        Assert.Contains("'../evil' is not valid", error.Message);
    }

    [Fact]
    public void A_parameter_the_standalone_host_cannot_supply_is_refused_with_its_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionCatalog.ForTypes([typeof(WantsAContext)]));
        Assert.Contains("parameter 'context'", error.Message);
    }

    [Fact]
    public void All_queues_lists_trigger_and_output_queues_once_timer_outputs_included()
    {
        var queues = TestTables.Spine().AllQueues().Select(q => q.QueueName).ToList();
        Assert.Equal(["%DoomedQueue%", "%WorkQueue%", "work-results", "tick-results"], queues);
    }

    [Fact]
    public void The_product_functions_found_by_reflection_are_those_of_the_generated_functions_metadata()
    {
        var generated = GeneratedFunctionMetadata.Load();

        var reflected = BrokerFunctions.Catalog.Functions.Select(Describe).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(generated.Select(Describe).Order(StringComparer.Ordinal).ToList(), reflected);
    }

    /// <summary>Name, trigger and every queue output, in one comparable line.</summary>
    private static string Describe(DeclaredFunction function) => function switch
    {
        HttpFunction http => $"{http.Name} http {http.AuthLevel} {string.Join(",", http.Methods.Select(m => m.ToLowerInvariant()))} {http.Route}",
        TimerFunction timer => $"{timer.Name} timer {timer.Schedule} runOnStartup={timer.RunOnStartup} -> {Outputs(timer.Outputs)}",
        QueueFunction queue => $"{queue.Name} queue {queue.QueueName} ({queue.Connection}) -> {Outputs(queue.Outputs)}",
        _ => function.Name,
    };

    private static string Describe(JsonElement function)
    {
        var name = function.GetProperty("name").GetString();
        var bindings = function.GetProperty("bindings").EnumerateArray().ToList();
        var trigger = bindings.Single(b => b.GetProperty("direction").GetString() == "In");
        var outputs = string.Join(" ", bindings
            .Where(b => b.GetProperty("type").GetString() == "queue")
            .Select(b => $"{b.GetProperty("name").GetString()}={b.GetProperty("queueName").GetString()}")
            .Order(StringComparer.Ordinal));
        return trigger.GetProperty("type").GetString() switch
        {
            "httpTrigger" => $"{name} http {trigger.GetProperty("authLevel").GetString()} {string.Join(",", trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()))} {trigger.GetProperty("route").GetString()}",
            "timerTrigger" => $"{name} timer {trigger.GetProperty("schedule").GetString()} runOnStartup={(trigger.TryGetProperty("runOnStartup", out var r) && r.GetBoolean() ? "True" : "False")} -> {outputs}",
            "queueTrigger" => $"{name} queue {trigger.GetProperty("queueName").GetString()} ({trigger.GetProperty("connection").GetString()}) -> {outputs}",
            var other => $"{name} {other}",
        };
    }

    private static string Outputs(IEnumerable<QueueOutputBinding> outputs) =>
        string.Join(" ", outputs.Select(o => $"{o.BindingName}={o.QueueName}").Order(StringComparer.Ordinal));

    public sealed class AnotherWork
    {
        [Function("work")]
        public void Run([QueueTrigger("a-queue")] string message) { }
    }

    public sealed class BadlyNamed
    {
        [Function("../evil")]
        public void Run([QueueTrigger("a-queue")] string message) { }
    }

    public sealed class WantsAContext
    {
        [Function("Contextual")]
        public void Run([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request, FunctionContext context) { }
    }
}
