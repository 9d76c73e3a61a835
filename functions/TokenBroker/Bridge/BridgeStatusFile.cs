using System.Text.Json;
using TokenBroker.Sqlite;

namespace TokenBroker.Bridge;

/// <summary>What a bridge on the broker's data folder last reported: its counters and when.</summary>
public sealed record BridgeStatus(DateTimeOffset At, IReadOnlyList<BridgeCounters> Counters);

/// <summary>
/// The bridge's counters in the data folder (bridge-status.json, mode 0600), where `serve`'s status (GET /api/status,
/// `tokenbroker status`) finds them: the bridge is another process, and the data folder is what the two share.
/// </summary>
public static class BridgeStatusFile
{
    public const string FileName = "bridge-status.json";
    private const long MaxBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Write(string dataDirectory, BridgeStatus status)
    {
        PrivateFiles.CreateFolder(dataDirectory);
        PrivateFiles.ReplaceWhole(Path.Combine(dataDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(status, Json));
    }

    /// <summary>The last report, or null when no bridge ran on this folder (or the file is unreadable).</summary>
    public static BridgeStatus? Read(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxBytes) return null;
            return JsonSerializer.Deserialize<BridgeStatus>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
