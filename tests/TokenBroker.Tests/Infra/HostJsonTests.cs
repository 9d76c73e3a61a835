using System.Globalization;
using System.Text.Json.Nodes;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>The repository's host.json, which every package carries at its root, configures the host for the isolated worker.</summary>
public class HostJsonTests
{
    private static readonly JsonNode HostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")))!;

    [Fact]
    public void It_is_a_version_2_host_json_for_the_isolated_worker_without_custom_handler_or_extension_bundle()
    {
        Assert.Equal("2.0", (string?)HostJson["version"]);
        // The worker SDK lists the binding extensions the host loads (extensions.json, .azurefunctions/); a .NET app uses no bundle.
        Assert.Null(HostJson["extensionBundle"]);
        Assert.Null(HostJson["customHandler"]);
    }

    [Fact]
    public void The_host_sends_its_telemetry_through_open_telemetry_like_the_worker()
    {
        Assert.Equal("OpenTelemetry", (string?)HostJson["telemetryMode"]);
    }

    [Fact]
    public void The_host_queue_trigger_retries_and_polls_as_the_standalone_listeners_do()
    {
        var queues = HostJson["extensions"]!["queues"]!;
        var options = new QueueHostingOptions();

        Assert.Equal(options.MaxDequeueCount, (int?)queues["maxDequeueCount"]);
        Assert.Equal(options.VisibilityTimeout.ToString("c", CultureInfo.InvariantCulture), (string?)queues["visibilityTimeout"]);
        Assert.Equal(options.BatchSize, (int?)queues["batchSize"]);
        Assert.Equal(options.EffectiveNewBatchThreshold, (int?)queues["newBatchThreshold"]);
        Assert.Equal(options.MaxPollingInterval.ToString("c", CultureInfo.InvariantCulture), (string?)queues["maxPollingInterval"]);
        Assert.Equal("base64", (string?)queues["messageEncoding"]);
    }
}
