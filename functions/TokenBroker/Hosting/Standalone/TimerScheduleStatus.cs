using System.Text.Json;

namespace TokenBroker.Hosting.Standalone;

/// <summary>
/// The Functions "useMonitor" record: when a timer last ran and when it was due next, kept across restarts so
/// that a run missed while the broker was down is reported as past due.
/// </summary>
internal sealed record TimerScheduleStatus(DateTimeOffset? Last, DateTimeOffset? Next)
{
    public static async Task<TimerScheduleStatus?> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<TimerScheduleStatus>(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null; // a torn write from a crash: start fresh rather than refuse to schedule
        }
    }

    /// <summary>Replaces the record whole; instances sharing the data folder may save at the same moment.</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Sqlite.PrivateFiles.ReplaceWhole(path, JsonSerializer.SerializeToUtf8Bytes(this));
        return Task.CompletedTask;
    }
}
