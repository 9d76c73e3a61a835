using System.Text.Json.Nodes;

namespace TokenBroker.Hosting.Packaging;

/// <summary>A local.settings.json for `func start` users: the isolated worker runtime, Azurite storage, our settings' names.</summary>
public static class LocalSettingsGenerator
{
    public const string WorkerRuntime = "dotnet-isolated";

    public static JsonObject Generate(IEnumerable<KeyValuePair<string, string>> brokerSettings)
    {
        var values = new JsonObject
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = WorkerRuntime,
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Queues__Transport"] = "azure",
        };
        foreach (var (key, value) in brokerSettings)
            values[key] = value;
        return new JsonObject { ["IsEncrypted"] = false, ["Values"] = values };
    }
}
