using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Queues;

using Microsoft.Azure.Functions.Worker;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.Standalone;

/// <summary>Fires every timer function of the app on its six-field NCRONTAB schedule (UTC), standalone.</summary>
internal sealed class TimerScheduler(
    FunctionCatalog table,
    FunctionInvoker invoker,
    IConfiguration configuration,
    IQueueTransport transport,
    IOptions<BrokerOptions> broker,
    TimeProvider time,
    ILogger<TimerScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: Kestrel starts listening while the timers open their status files and the queue database.
        await Task.Yield();
        await Task.WhenAll(table.Timers.Select(timer => RunTimerAsync(timer, ParseSchedule(timer, configuration), stoppingToken)));
    }

    /// <summary>Resolves %Setting% and parses; a bad schedule names the function and the expression.</summary>
    public static CrontabSchedule ParseSchedule(TimerFunction timer, IConfiguration configuration)
    {
        var expression = SettingReference.Resolve(timer.Schedule, configuration);
        var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        return schedule ?? throw new InvalidOperationException(
            $"The schedule '{expression}' of timer function '{timer.Name}' is not a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}).");
    }

    private async Task RunTimerAsync(TimerFunction timer, CrontabSchedule schedule, CancellationToken stopping)
    {
        var outputQueues = OutputBindingWriter.Resolve(timer.Outputs, name => SettingReference.Resolve(name, configuration));
        foreach (var queue in outputQueues.Values)
            await transport.CreateIfNotExistsAsync(queue, stopping);
        var statusPath = Path.Combine(Path.GetFullPath(broker.Value.DataDirectory), "timers", timer.Name + ".json");
        var status = timer.UseMonitor ? await TimerScheduleStatus.LoadAsync(statusPath, stopping) : null;
        var now = time.GetUtcNow();

        var pastDue = status?.Next is { } missed && missed < now;
        if (pastDue || timer.RunOnStartup)
        {
            await FireAsync(timer, outputQueues, TimerInfoFor(pastDue, status?.Last, Next(schedule, now)), stopping);
            status = new TimerScheduleStatus(now, null);
        }

        while (!stopping.IsCancellationRequested)
        {
            var due = Next(schedule, time.GetUtcNow());
            if (timer.UseMonitor)
                await (status = new TimerScheduleStatus(status?.Last, due)).SaveAsync(statusPath, stopping);
            try
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await FireAsync(timer, outputQueues, TimerInfoFor(false, status?.Last, Next(schedule, due)), stopping);
            status = new TimerScheduleStatus(due, Next(schedule, due));
        }
    }

    private async Task FireAsync(TimerFunction timer, IReadOnlyDictionary<string, string> outputQueues, TimerInfo info, CancellationToken stopping)
    {
        var result = await invoker.InvokeTimerAsync(timer, info, stopping);
        if (!result.Succeeded)
        {
            logger.LogError("Timer function '{Function}' failed; it runs again at its next occurrence: {Reason}", timer.Name, result.Failure!.Message);
            return;
        }
        try
        {
            await OutputBindingWriter.WriteAsync(timer.Name, result, outputQueues, transport);
        }
        catch (Exception exception)
        {
            logger.LogError("Timer function '{Function}' succeeded but writing its outputs failed: {Reason}", timer.Name, exception.Message);
        }
    }

    /// <summary>What the Functions host passes a timer: whether the run is late, and the schedule's last and next occurrences.</summary>
    private TimerInfo TimerInfoFor(bool isPastDue, DateTimeOffset? last, DateTimeOffset next) => new()
    {
        IsPastDue = isPastDue,
        ScheduleStatus = new ScheduleStatus { Last = last?.UtcDateTime ?? default, Next = next.UtcDateTime, LastUpdated = time.GetUtcNow().UtcDateTime },
    };

    private static DateTimeOffset Next(CrontabSchedule schedule, DateTimeOffset after) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));
}
