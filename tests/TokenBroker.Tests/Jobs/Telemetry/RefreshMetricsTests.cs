using TokenBroker.Tests.Jobs.Refresh;

namespace TokenBroker.Tests.Jobs.Telemetry;

/// <summary>The refresh timer counts refreshes by outcome and reports mailboxes by state.</summary>
public sealed class RefreshMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_refreshed_mailbox_counts_as_refreshed_and_as_connected()
    {
        await using var host = await RefreshTesting.StartAsync();
        using var metrics = new MetricRecorder(host.App.Services);
        // Kept alive an interval ago: the timer refreshes it.
        await RefreshTesting.ConnectDueAsync(host);

        await RefreshTesting.RunTimerAsync(host, Ct);
        metrics.Observe();

        Assert.Equal(1, metrics.Sum("tokenbroker.refreshes", ("outcome", "refreshed")));
        Assert.Equal(1, metrics.Sum("tokenbroker.mailboxes", ("state", "Connected")));
    }

    [Fact]
    public async Task A_refresh_token_expired_by_inactivity_counts_as_a_failed_refresh()
    {
        await using var host = await RefreshTesting.StartAsync();
        using var metrics = new MetricRecorder(host.App.Services);
        await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        await RefreshTesting.RunTimerAsync(host, Ct);

        Assert.Equal(1, metrics.Sum("tokenbroker.refreshes", ("outcome", "failed")));
    }
}
