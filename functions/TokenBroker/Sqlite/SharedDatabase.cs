using Microsoft.Data.Sqlite;

namespace TokenBroker.Sqlite;

/// <summary>
/// Opens a database file that several broker processes on one machine share: private to the broker's user, WAL so
/// readers never wait for the writer, a busy timeout so processes queue for the write lock, and the schema created.
/// </summary>
internal static class SharedDatabase
{
    /// <param name="what">What the database holds and its setting, for the error sentence, e.g. "ledger database (Ledger:Sqlite:DatabasePath)".</param>
    /// <param name="schema">Statements that create what is missing (CREATE ... IF NOT EXISTS).</param>
    /// <param name="syncEveryCommit">
    /// true: an fsync on every commit (what a power loss must not undo, e.g. the ledger's attempt records). false:
    /// synchronous=NORMAL, in WAL mode a killed process still loses nothing committed, a power loss may lose the last
    /// commits; for state that is only a limit's bookkeeping, where an fsync per message was most of its cost.
    /// </param>
    public static SqliteConnection Open(string fullPath, TimeSpan busyTimeout, string what, string schema, bool syncEveryCommit = true)
    {
        try
        {
            PrivateFiles.PrepareDatabaseFile(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot create the folder of the {what} '{fullPath}': {e.Message}", e);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, $"PRAGMA synchronous = {(syncEveryCommit ? "FULL" : "NORMAL")};");
            Execute(connection, schema);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
