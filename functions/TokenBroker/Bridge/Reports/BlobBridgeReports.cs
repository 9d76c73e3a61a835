using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Bridge.Reports;

/// <summary>The Azure broker's remote-bridge reports: one blob each under <c>bridges/</c> in the ledger's container.</summary>
internal sealed class BlobBridgeReports(LedgerContainer container) : IBridgeReports
{
    public const string Prefix = "bridges/";

    public async Task<bool> SaveAsync(RemoteBridgeReport report, CancellationToken cancellationToken)
    {
        var name = Prefix + BridgeReportJson.FileNameOf(report.Name);
        var known = await container.ListNamesAsync(Prefix, cancellationToken).ConfigureAwait(false);
        if (!known.Contains(name, StringComparer.Ordinal) && known.Count >= IBridgeReports.MaxBridges) return false;
        await container.PutAsync(name, BridgeReportJson.Serialize(report), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<RemoteBridgeReport>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var reports = new List<RemoteBridgeReport>();
        foreach (var name in (await container.ListNamesAsync(Prefix, cancellationToken).ConfigureAwait(false)).Take(IBridgeReports.MaxBridges))
        {
            if (await container.GetAsync(name, cancellationToken).ConfigureAwait(false) is { } blob && BridgeReportJson.Parse(blob.Data) is { } report)
                reports.Add(report);
        }
        return reports;
    }
}
