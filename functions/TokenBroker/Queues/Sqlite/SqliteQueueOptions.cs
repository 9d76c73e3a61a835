namespace TokenBroker.Queues;

/// <summary>Settings of the embedded SQLite queue (section "Queues:Sqlite" when bound from configuration).</summary>
public sealed class SqliteQueueOptions
{
    /// <summary>The database file; created with its directory when missing. Every process sharing it shares the queues.</summary>
    public string DatabasePath { get; set; } = Path.Combine(".data", "queues.db");

    /// <summary>How long a message lives when nobody deletes it (Azure's default: 7 days).</summary>
    public TimeSpan MessageTimeToLive { get; set; } = QueueMessageLimits.DefaultTimeToLive;

    /// <summary>How long a command waits for another process's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// false (default): synchronous=NORMAL; in WAL mode a killed process loses nothing committed, only a power
    /// loss or OS crash can lose the last transactions. true: synchronous=FULL, an fsync on every commit.
    /// </summary>
    public bool SyncEveryCommit { get; set; }

    /// <summary>How often expired messages are purged (checked on receive).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(1);
}
