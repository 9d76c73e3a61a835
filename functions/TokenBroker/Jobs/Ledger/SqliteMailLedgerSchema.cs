using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;

namespace TokenBroker.Jobs.Ledger;

/// <summary>Opens (and creates) the ledger database (<see cref="SharedDatabase"/>), adding columns newer versions need.</summary>
internal static class SqliteMailLedgerSchema
{
    public static SqliteConnection Open(string fullPath, TimeSpan busyTimeout)
    {
        var connection = SharedDatabase.Open(fullPath, busyTimeout, "ledger database (Ledger:Sqlite:DatabasePath)", """
                CREATE TABLE IF NOT EXISTS sent_records (
                    mailbox         TEXT    NOT NULL,
                    idempotency_key TEXT    NOT NULL,
                    message_id      TEXT    NOT NULL,
                    sent_at         INTEGER NOT NULL,
                    recipients      INTEGER NOT NULL,
                    recorded_at     INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, idempotency_key)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS sent_records_by_age ON sent_records (recorded_at);
                CREATE TABLE IF NOT EXISTS send_attempts (
                    mailbox         TEXT    NOT NULL,
                    idempotency_key TEXT    NOT NULL,
                    message_id      TEXT    NOT NULL,
                    committing_at   INTEGER NOT NULL,
                    PRIMARY KEY (mailbox, idempotency_key)
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS send_attempts_by_age ON send_attempts (committing_at);
                CREATE TABLE IF NOT EXISTS fetch_checkpoints (
                    checkpoint_key TEXT    NOT NULL PRIMARY KEY,
                    version        INTEGER NOT NULL,
                    payload        BLOB    NOT NULL
                ) WITHOUT ROWID;
            """);
        try
        {
            AddAttemptMessageDate(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // Added after the first release: databases created before get the column here (null = not recorded).
    private static void AddAttemptMessageDate(SqliteConnection connection)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('send_attempts') WHERE name = 'message_date';";
        if (Convert.ToInt64(columns.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            SharedDatabase.Execute(connection, "ALTER TABLE send_attempts ADD COLUMN message_date INTEGER NULL;");
    }
}
