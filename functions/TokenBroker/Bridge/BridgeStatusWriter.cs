using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;

namespace TokenBroker.Bridge;

/// <summary>Writes the bridge's counters to the data folder every <see cref="Interval"/> and when it stops (in-process bridges).</summary>
public sealed class BridgeStatusWriter(BridgeActivity activity, IOptions<BrokerOptions> broker, TimeProvider time, ILogger<BridgeStatusWriter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) Write();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Write();
        }
    }

    public void Write()
    {
        try
        {
            BridgeStatusFile.Write(broker.Value.DataDirectory, new BridgeStatus(time.GetUtcNow(), activity.Snapshot()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("The bridge could not write its counters to {Folder}: {Reason}", broker.Value.DataDirectory, e.Message);
        }
    }
}
