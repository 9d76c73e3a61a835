using System.Text.Json.Nodes;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.Packaging;

/// <summary>Writes each table entry as the function.json the Functions host reads; never edited by hand.</summary>
public static class FunctionJsonGenerator
{
    public static JsonObject Generate(FunctionDefinition function) => new()
    {
        ["bindings"] = new JsonArray(Bindings(function).ToArray<JsonNode?>()),
    };

    private static IEnumerable<JsonObject> Bindings(FunctionDefinition function)
    {
        switch (function)
        {
            case HttpFunction http:
                yield return new JsonObject
                {
                    ["type"] = "httpTrigger",
                    ["direction"] = "in",
                    ["name"] = BindingNames.HttpRequest,
                    ["authLevel"] = http.AuthLevel.ToString().ToLowerInvariant(),
                    ["methods"] = new JsonArray(http.Methods.Select(m => (JsonNode?)m.ToLowerInvariant()).ToArray()),
                    ["route"] = http.Route,
                };
                yield return new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = BindingNames.HttpResponse };
                break;
            case TimerFunction timer:
                yield return new JsonObject
                {
                    ["type"] = "timerTrigger",
                    ["direction"] = "in",
                    ["name"] = BindingNames.Timer,
                    ["schedule"] = timer.Schedule,
                    ["runOnStartup"] = timer.RunOnStartup,
                    ["useMonitor"] = timer.UseMonitor,
                };
                foreach (var output in timer.Outputs)
                    yield return QueueOutput(output);
                break;
            case QueueFunction queue:
                yield return new JsonObject
                {
                    ["type"] = "queueTrigger",
                    ["direction"] = "in",
                    ["name"] = BindingNames.QueueMessage,
                    ["queueName"] = queue.QueueName,
                    ["connection"] = queue.Connection,
                };
                foreach (var output in queue.Outputs)
                    yield return QueueOutput(output);
                break;
            default:
                throw new NotSupportedException($"Function '{function.Name}' has a trigger kind the package cannot describe.");
        }
    }

    private static JsonObject QueueOutput(QueueOutputBinding output) => new()
    {
        ["type"] = "queue",
        ["direction"] = "out",
        ["name"] = output.BindingName,
        ["queueName"] = output.QueueName,
        ["connection"] = output.Connection,
    };
}
