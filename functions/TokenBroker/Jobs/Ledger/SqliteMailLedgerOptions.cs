namespace TokenBroker.Jobs.Ledger;

/// <summary>Settings of the SQLite ledger (section "Ledger:Sqlite").</summary>
public sealed class SqliteMailLedgerOptions
{
    public const string DefaultFileName = "ledger.db";

    /// <summary>The database file; empty means <see cref="DefaultFileName"/> in Broker:DataDirectory (set by the registration).</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>How long a statement waits for another process holding the write lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent records older than this many days are deleted (a redelivery arrives within the queue's 7-day TTL).</summary>
    public int SentRetentionDays { get; set; } = 30;

    /// <summary>The purge runs on a write at most this often per process.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DatabasePath))
            throw new InvalidOperationException("Setting 'Ledger:Sqlite:DatabasePath' is empty; give the ledger database file (or set Broker:DataDirectory).");
        if (SentRetentionDays < 1)
            throw new InvalidOperationException($"Setting 'Ledger:Sqlite:SentRetentionDays' is {SentRetentionDays}; it must be at least 1.");
        if (BusyTimeout < TimeSpan.Zero)
            throw new InvalidOperationException("Setting 'Ledger:Sqlite:BusyTimeout' must not be negative.");
        if (PurgeInterval < TimeSpan.Zero)
            throw new InvalidOperationException("Setting 'Ledger:Sqlite:PurgeInterval' must not be negative.");
    }
}
