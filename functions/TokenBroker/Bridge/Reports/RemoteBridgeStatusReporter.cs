using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Bridge.Reports;

/// <summary>
/// A bridge next to the apps sends its counters to the remote broker (PUT /api/bridge/status with its own credential)
/// every <see cref="Interval"/> when they changed, and once more when it stops, so the broker's status shows them.
/// A broker that does not answer costs a warning when that starts and a line when it ends, not one per attempt.
/// </summary>
public sealed class RemoteBridgeStatusReporter(BridgeActivity activity, RemoteBroker broker, TimeProvider time, ILogger<RemoteBridgeStatusReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private IReadOnlyList<BridgeCounters>? _lastSent;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) await ReportAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await ReportAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the counters unless the broker already has these; returns whether the broker took them.</summary>
    public async Task<bool> ReportAsync(CancellationToken cancellationToken)
    {
        var counters = activity.Snapshot();
        if (_lastSent is not null && _lastSent.SequenceEqual(counters)) return true;
        try
        {
            using var response = await broker.Client.PutAsJsonAsync("api/" + BridgeReportsApi.Route, new BridgeReportsApi.BridgeReportRequest(counters), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return Failed($"the broker answered {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Failed(e.Message);
        }
        if (_failing) logger.LogInformation("The bridge reports its counters to {Broker} again.", broker.Client.BaseAddress);
        _failing = false;
        _lastSent = counters;
        return true;
    }

    private bool Failed(string reason)
    {
        if (!_failing) logger.LogWarning("The bridge could not report its counters to {Broker} ({Reason}); it keeps trying every {Interval}.", broker.Client.BaseAddress, reason, Interval);
        _failing = true;
        return false;
    }
}
