using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TokenBroker.Bridge.Reports;

/// <summary>How a stored report is named and written, the same in a folder and in a blob container.</summary>
internal static class BridgeReportJson
{
    /// <summary>A stored report is at most this long (10,000 counters fit); a longer one is skipped when read.</summary>
    public const int MaxStoredBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A client name may hold any character: the stored name is a digest of it.</summary>
    public static string FileNameOf(string bridgeName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bridgeName)))[..32] + ".json";

    public static byte[] Serialize(RemoteBridgeReport report) => JsonSerializer.SerializeToUtf8Bytes(report, Json);

    /// <summary>The report, or null for bytes that are not one (a torn or foreign file is skipped, not fatal).</summary>
    public static RemoteBridgeReport? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxStoredBytes) return null;
        try
        {
            return JsonSerializer.Deserialize<RemoteBridgeReport>(bytes, Json) is { Name: not null, Counters: not null } report ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
