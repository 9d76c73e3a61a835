using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>Standalone timers on a clock the test moves: no waiting for real minutes.</summary>
public class TimerSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly InvocationRecorder _recorder = new();
    private readonly ManualTimeProvider _clock = new(Start);

    private Task<RunningBroker> StartAsync(bool runOnStartup = false, string? dataDirectory = null) =>
        RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(runOnStartup), services =>
        {
            services.AddSingleton(_recorder);
            services.AddSingleton<TimeProvider>(_clock);
        }, dataDirectory: dataDirectory);

    private async Task WaitUntilScheduledAsync(DateTimeOffset due) =>
        await new InvocationRecorder().WaitForAsync(_ => _clock.PendingDueTimes.Contains(due));

    [Fact]
    public async Task A_timer_fires_at_each_occurrence_of_its_schedule()
    {
        await using var broker = await StartAsync();

        await WaitUntilScheduledAsync(Start.AddMinutes(5));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _recorder.WaitForAsync(r => r.Timers.Count == 1);
        await WaitUntilScheduledAsync(Start.AddMinutes(10));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _recorder.WaitForAsync(r => r.Timers.Count == 2);

        Assert.All(_recorder.Timers, t => Assert.False(t.IsPastDue));
        Assert.Equal(Start.AddMinutes(15), _recorder.Timers.Last().ScheduleStatus!.Next);
    }

    [Fact]
    public async Task What_a_timer_adds_to_an_output_binding_is_sent_to_the_bound_queue()
    {
        await using var broker = await StartAsync(runOnStartup: true);
        var transport = broker.Services.GetRequiredService<IQueueTransport>();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        IReadOnlyList<ReceivedQueueMessage> received = [];
        while (received.Count == 0)
        {
            await Task.Delay(20, limit.Token);
            received = await transport.ReceiveAsync("tick-results", 32, TimeSpan.FromMinutes(1), limit.Token);
        }

        Assert.Equal("""{"pastDue":false}""", Assert.Single(received).Text);
    }

    [Fact]
    public async Task A_timer_does_not_fire_before_its_time()
    {
        await using var broker = await StartAsync();

        await WaitUntilScheduledAsync(Start.AddMinutes(5));
        _clock.Advance(TimeSpan.FromMinutes(4));
        await WaitUntilScheduledAsync(Start.AddMinutes(5));

        Assert.Empty(_recorder.Timers);
    }

    [Fact]
    public async Task A_timer_declared_run_on_startup_fires_when_the_broker_starts()
    {
        await using var broker = await StartAsync(runOnStartup: true);

        await _recorder.WaitForAsync(r => r.Timers.Count == 1);

        Assert.False(_recorder.Timers.Single().IsPastDue);
    }

    [Fact]
    public async Task A_run_missed_while_the_broker_was_down_fires_at_start_as_past_due()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("timer-status-").FullName;
        Directory.CreateDirectory(Path.Combine(dataDirectory, "timers"));
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "timers", "Tick.json"),
            """{"Last":"2025-12-31T23:50:00+00:00","Next":"2025-12-31T23:55:00+00:00"}""", TestContext.Current.CancellationToken);

        await using var broker = await StartAsync(dataDirectory: dataDirectory);
        await _recorder.WaitForAsync(r => r.Timers.Count == 1);

        var timer = _recorder.Timers.Single();
        Assert.True(timer.IsPastDue);
        Assert.Equal(new DateTimeOffset(2025, 12, 31, 23, 50, 0, TimeSpan.Zero), timer.ScheduleStatus!.Last);
    }
}
