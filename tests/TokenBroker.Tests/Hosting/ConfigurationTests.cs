using Microsoft.Extensions.Options;
using TokenBroker.Hosting;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Functions;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting;

/// <summary>A misconfigured broker refuses to start with one sentence naming the setting.</summary>
public class ConfigurationTests
{
    [Fact]
    public async Task An_out_of_range_queue_setting_fails_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), settings: new Dictionary<string, string> { ["Queues:BatchSize"] = "0" }));

        Assert.Equal("Setting 'Queues:BatchSize' must be between 1 and 32; it is 0.", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task A_master_key_shorter_than_32_characters_fails_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), settings: new Dictionary<string, string> { ["Broker:AdminKey"] = "correct-horse" }));

        Assert.StartsWith("Setting 'Broker:AdminKey' is too short", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Listening_on_every_interface_without_allowed_hosts_fails_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), settings: new Dictionary<string, string> { ["Broker:Urls"] = "http://0.0.0.0:0" }));

        Assert.Contains("Broker:AllowedHosts", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task An_unknown_queue_transport_fails_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), settings: new Dictionary<string, string> { ["Queues:Transport"] = "carrier-pigeon" }));

        Assert.Contains("Setting 'Queues:Transport'", error.Message);
        Assert.Contains("carrier-pigeon", error.Message);
    }

    [Fact]
    public async Task A_schedule_setting_that_is_missing_fails_the_start_naming_the_setting()
    {
        // Not RefreshSchedule: appsettings.json ships a default for that one.
        var catalog = FunctionCatalog.ForTypes([typeof(RecordingTimerFunction)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, catalog, settings: new Dictionary<string, string> { ["TickSchedule"] = "" }));

        Assert.Equal("Setting 'TickSchedule' is required: a function refers to it as %TickSchedule%.", error.Message);
    }

    [Fact]
    public async Task A_schedule_that_is_not_six_field_ncrontab_fails_the_start_naming_the_function()
    {
        var catalog = FunctionCatalog.ForTypes([typeof(RefreshTokensFunction)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, catalog, settings: new Dictionary<string, string> { ["RefreshSchedule"] = "*/5 * * * *" }));

        Assert.StartsWith("The schedule '*/5 * * * *' of timer function 'RefreshTokens' is not a six-field NCRONTAB expression", error.Message);
    }

    [Fact]
    public async Task A_queue_name_azure_would_refuse_fails_the_start()
    {
        var catalog = FunctionCatalog.ForTypes([typeof(RecordingQueueFunction)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, catalog, settings: new Dictionary<string, string> { ["WorkQueue"] = "Work_Items" }));

        Assert.Contains("Work_Items", error.Message);
    }
}
