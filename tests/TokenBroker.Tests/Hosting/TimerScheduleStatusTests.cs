using TokenBroker.Hosting.Standalone;

namespace TokenBroker.Tests.Hosting;

/// <summary>The timers' "last run / next due" file, which instances sharing one data folder all write.</summary>
public sealed class TimerScheduleStatusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_saving_the_same_timer_at_once_all_succeed_and_leave_one_whole_record()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-timers-").FullName, "timers", "RefreshTokens.json");
        var at = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++) await new TimerScheduleStatus(at.AddMinutes(writer), at.AddMinutes(i)).SaveAsync(path, Ct);
        }, Ct)));

        var saved = await TimerScheduleStatus.LoadAsync(path, Ct);
        Assert.NotNull(saved);
        Assert.Equal(at.AddMinutes(49), saved.Next);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
