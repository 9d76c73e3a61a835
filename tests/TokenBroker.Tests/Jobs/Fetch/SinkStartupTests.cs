using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>Sink settings are checked when the broker starts: a wrong one stops it with the sentence naming the setting
/// (which the executable prints as "invalid configuration" with exit code 2).</summary>
public sealed class SinkStartupTests
{
    [Fact]
    public async Task A_webhook_sink_without_a_secret_stops_the_start_naming_the_setting()
    {
        var invalid = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningBroker.StartAsync(HostingMode.Standalone,
            FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]),
            settings: new Dictionary<string, string> { ["Sinks:Webhooks:helpdesk:Url"] = "https://helpdesk.example.com/pipe" }));

        Assert.StartsWith("Setting 'Sinks:Webhooks:helpdesk:Secret' is not set", invalid.Message);
    }

    [Fact]
    public async Task A_maildir_sink_with_a_relative_root_stops_the_start_naming_the_setting()
    {
        var invalid = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningBroker.StartAsync(HostingMode.Standalone,
            FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]),
            settings: new Dictionary<string, string> { ["Sinks:Maildirs:archive:Root"] = "relative/mail" }));

        Assert.StartsWith("Setting 'Sinks:Maildirs:archive:Root' is 'relative/mail'", invalid.Message);
    }
}
