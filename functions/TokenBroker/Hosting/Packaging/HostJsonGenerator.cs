using System.Globalization;
using System.Text.Json.Nodes;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Hosting.Packaging;

/// <summary>
/// host.json for the custom handler. Queue settings come from <see cref="QueueHostingOptions"/>' defaults so the
/// Functions host retries and poisons exactly as the standalone listeners do.
/// </summary>
public static class HostJsonGenerator
{
    public const string ExecutableName = "tokenbroker";

    public static JsonObject Generate(QueueHostingOptions queues) => new()
    {
        ["version"] = "2.0",
        ["logging"] = new JsonObject
        {
            ["logLevel"] = new JsonObject { ["default"] = "Information" },
        },
        ["customHandler"] = new JsonObject
        {
            ["description"] = new JsonObject
            {
                ["defaultExecutablePath"] = ExecutableName,
                ["workingDirectory"] = "",
                ["arguments"] = new JsonArray(),
            },
            ["enableForwardingHttpRequest"] = true,
        },
        ["extensionBundle"] = new JsonObject
        {
            ["id"] = "Microsoft.Azure.Functions.ExtensionBundle",
            ["version"] = "[4.*, 5.0.0)",
        },
        ["extensions"] = new JsonObject
        {
            ["http"] = new JsonObject { ["routePrefix"] = "api" },
            ["queues"] = new JsonObject
            {
                ["maxDequeueCount"] = queues.MaxDequeueCount,
                ["visibilityTimeout"] = queues.VisibilityTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["batchSize"] = queues.BatchSize,
                ["newBatchThreshold"] = queues.EffectiveNewBatchThreshold,
                ["maxPollingInterval"] = queues.MaxPollingInterval.ToString("c", CultureInfo.InvariantCulture),
                ["messageEncoding"] = "base64",
            },
        },
    };
}
