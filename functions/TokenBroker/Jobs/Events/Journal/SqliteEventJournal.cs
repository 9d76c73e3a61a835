using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;

namespace TokenBroker.Jobs.Events.Journal;

/// <summary>The standalone journal: a table in its own SQLite file in the data folder (private, like every data file), trimmed to the capacity on every append.</summary>
public sealed class SqliteEventJournal : IEventJournal, IDisposable
{
    public const string DefaultFileName = "events.db";
    private readonly SerializedSqliteConnection _db;

    public SqliteEventJournal(string databasePath)
    {
        var fullPath = Path.GetFullPath(databasePath);
        var connection = SharedDatabase.Open(fullPath, TimeSpan.FromSeconds(10), $"event journal ({DefaultFileName} in Broker:DataDirectory)", """
            CREATE TABLE IF NOT EXISTS recent_events (
                seq     INTEGER PRIMARY KEY AUTOINCREMENT,
                id      TEXT    NOT NULL,
                at      INTEGER NOT NULL,
                type    TEXT    NOT NULL,
                mailbox TEXT,
                reason  TEXT,
                json    TEXT    NOT NULL
            );
            """, syncEveryCommit: false);
        _db = new SerializedSqliteConnection(connection);
    }

    public Task AppendAsync(IEnumerable<string> eventJsons, CancellationToken cancellationToken = default)
    {
        var events = eventJsons.Select(RecordedEvent.FromJson).OfType<RecordedEvent>().ToList();
        if (events.Count == 0) return Task.CompletedTask;
        return _db.RunAsync(() =>
        {
            using var transaction = _db.Connection.BeginTransaction();
            foreach (var e in events)
            {
                using var insert = _db.Command("INSERT INTO recent_events (id, at, type, mailbox, reason, json) VALUES ($id, $at, $type, $mailbox, $reason, $json);",
                    ("$id", e.Id), ("$at", e.At.ToUnixTimeMilliseconds()), ("$type", e.Type), ("$mailbox", (object?)e.Mailbox ?? DBNull.Value),
                    ("$reason", (object?)e.Reason ?? DBNull.Value), ("$json", e.Json));
                insert.Transaction = transaction;
                insert.ExecuteNonQuery();
            }
            using var trim = _db.Command("DELETE FROM recent_events WHERE seq <= (SELECT MAX(seq) FROM recent_events) - $capacity;", ("$capacity", IEventJournal.Capacity));
            trim.Transaction = transaction;
            trim.ExecuteNonQuery();
            transaction.Commit();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadAsync(int limit, CancellationToken cancellationToken = default) =>
        _db.RunAsync<IReadOnlyList<RecordedEvent>>(() =>
        {
            using var query = _db.Command("SELECT id, at, type, mailbox, reason, json FROM recent_events ORDER BY seq DESC LIMIT $limit;",
                ("$limit", Math.Clamp(limit, 0, IEventJournal.Capacity)));
            using var reader = query.ExecuteReader();
            var events = new List<RecordedEvent>();
            while (reader.Read())
                events.Add(new RecordedEvent(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
            return events;
        }, cancellationToken);

    public void Dispose() => _db.Dispose();
}
