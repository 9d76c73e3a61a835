namespace TokenBroker.Bridge.Reports;

/// <summary>
/// What a bridge on another machine last reported: its counters, under the name of the client it reports with, and when
/// the broker received them (a bridge that stopped reporting shows an old time).
/// </summary>
public sealed record RemoteBridgeReport(string Name, DateTimeOffset At, IReadOnlyList<BridgeCounters> Counters);

/// <summary>
/// The remote bridges' reports, one per reporting client (each report replaces that client's last one), kept where every
/// instance of the broker reads them: the data folder standalone, the ledger's blob container on Azure.
/// </summary>
public interface IBridgeReports
{
    /// <summary>How many bridges may report; one more is refused until an operator removes a stale report's client.</summary>
    public const int MaxBridges = 100;

    /// <returns>False when <see cref="MaxBridges"/> other bridges have reported already (nothing stored).</returns>
    Task<bool> SaveAsync(RemoteBridgeReport report, CancellationToken cancellationToken);

    Task<IReadOnlyList<RemoteBridgeReport>> ReadAllAsync(CancellationToken cancellationToken);
}
