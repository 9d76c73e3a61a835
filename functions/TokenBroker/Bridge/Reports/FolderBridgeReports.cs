using TokenBroker.Sqlite;

namespace TokenBroker.Bridge.Reports;

/// <summary>The standalone broker's remote-bridge reports: one file each in <c>bridge-reports/</c> of the data folder (0600).</summary>
public sealed class FolderBridgeReports(string dataDirectory) : IBridgeReports
{
    public const string FolderName = "bridge-reports";
    private readonly string _folder = Path.Combine(Path.GetFullPath(dataDirectory), FolderName);
    private readonly SemaphoreSlim _writing = new(1, 1);

    public async Task<bool> SaveAsync(RemoteBridgeReport report, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_folder, BridgeReportJson.FileNameOf(report.Name));
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            PrivateFiles.CreateFolder(_folder);
            if (!File.Exists(path) && Directory.GetFiles(_folder, "*.json").Length >= IBridgeReports.MaxBridges) return false;
            PrivateFiles.ReplaceWhole(path, BridgeReportJson.Serialize(report));
            return true;
        }
        finally
        {
            _writing.Release();
        }
    }

    public async Task<IReadOnlyList<RemoteBridgeReport>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_folder)) return [];
        var reports = new List<RemoteBridgeReport>();
        foreach (var file in Directory.GetFiles(_folder, "*.json").Take(IBridgeReports.MaxBridges))
        {
            try
            {
                if (new FileInfo(file).Length > BridgeReportJson.MaxStoredBytes) continue;
                if (BridgeReportJson.Parse(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false)) is { } report) reports.Add(report);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Replaced or removed while listed: the next read has it.
            }
        }
        return reports;
    }
}
