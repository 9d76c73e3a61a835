using Microsoft.Extensions.Options;
using TokenBroker.Hosting;
using TokenBroker.Tests.Hosting.Support;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

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
        var table = new FunctionTable([Timer<RecordingTimerFunction>("Tick", "%TickSchedule%")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningBroker.StartAsync(HostingMode.Standalone, table));

        Assert.Equal("Setting 'TickSchedule' is required: the function table refers to it as %TickSchedule%.", error.Message);
    }

    [Fact]
    public async Task A_schedule_that_is_not_six_field_ncrontab_fails_the_start_naming_the_function()
    {
        var table = new FunctionTable([Timer<RecordingTimerFunction>("Refresh", "%RefreshSchedule%")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, table, settings: new Dictionary<string, string> { ["RefreshSchedule"] = "*/5 * * * *" }));

        Assert.StartsWith("The schedule '*/5 * * * *' of timer function 'Refresh' is not a six-field NCRONTAB expression", error.Message);
    }

    [Fact]
    public async Task A_queue_name_azure_would_refuse_fails_the_start()
    {
        var table = new FunctionTable([Queue<RecordingQueueFunction>("Work", "Work_Items")]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunningBroker.StartAsync(HostingMode.Standalone, table));

        Assert.Contains("Work_Items", error.Message);
    }
}
