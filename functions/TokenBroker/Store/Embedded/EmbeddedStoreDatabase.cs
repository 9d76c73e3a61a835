using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;

namespace TokenBroker.Store.Embedded;

/// <summary>
/// One SQLite file with one table of versioned items (mailboxes, token caches, broker keys). Every payload is
/// encrypted with DataProtection under a purpose that names its kind and key, so the file holds no token,
/// verifier or key in clear, and a payload copied onto another row does not decrypt.
/// One connection serves the process; writes run in IMMEDIATE transactions so other processes sharing the file wait.
/// </summary>
internal sealed class EmbeddedStoreDatabase : IAsyncDisposable, IDisposable
{
    private const string RootPurpose = "TokenBroker.Store.v1";

    private readonly SerializedSqliteConnection _db;
    private readonly IDataProtector _protector;

    public EmbeddedStoreDatabase(string databasePath, IDataProtectionProvider protection, TimeSpan busyTimeout)
    {
        _protector = protection.CreateProtector(RootPurpose);
        PrivateFiles.PrepareDatabaseFile(Path.GetFullPath(databasePath));
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        _db = new SerializedSqliteConnection(connection);
        Execute("PRAGMA journal_mode = WAL;");
        Execute($"PRAGMA busy_timeout = {(int)busyTimeout.TotalMilliseconds};");
        Execute("""
            CREATE TABLE IF NOT EXISTS store_items (
                kind     TEXT NOT NULL,
                item_key TEXT NOT NULL,
                version  TEXT NOT NULL,
                payload  BLOB NOT NULL,
                PRIMARY KEY (kind, item_key)
            ) WITHOUT ROWID;
            """);
        EnsureSummaryColumn();
    }

    /// <summary>
    /// Clear-text listing metadata of an item (mailboxes: state and times, never a token) that callers can read
    /// without decrypting every payload. Added after the first release: older files get the column on open, and
    /// their rows have no summary until next written.
    /// </summary>
    private void EnsureSummaryColumn()
    {
        using var columns = _db.Command("SELECT COUNT(*) FROM pragma_table_info('store_items') WHERE name = 'summary';");
        if ((long)columns.ExecuteScalar()! != 0) return;
        try
        {
            Execute("ALTER TABLE store_items ADD COLUMN summary TEXT;");
        }
        catch (SqliteException e) when (e.Message.Contains("duplicate column", StringComparison.OrdinalIgnoreCase))
        {
            // Another process sharing the file added it first.
        }
    }

    public Task<StoredItem?> ReadAsync(string kind, string key, CancellationToken cancellationToken) =>
        _db.RunAsync(() => ReadLocked(kind, key), cancellationToken);

    public async Task<IReadOnlyList<StoredItem>> ListAsync(string kind, CancellationToken cancellationToken)
    {
        return await _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT item_key, version, payload FROM store_items WHERE kind = $kind ORDER BY item_key;", ("$kind", kind));
            using var reader = command.ExecuteReader();
            var items = new List<StoredItem>();
            while (reader.Read())
                items.Add(Unprotect(kind, reader.GetString(0), reader.GetString(1), (byte[])reader[2]));
            return items;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Key, version and summary of every item of that kind; no payload is read or decrypted.</summary>
    public async Task<IReadOnlyList<(string Key, string Version, string? Summary)>> ListSummariesAsync(string kind, CancellationToken cancellationToken)
    {
        return await _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT item_key, version, summary FROM store_items WHERE kind = $kind ORDER BY item_key;", ("$kind", kind));
            using var reader = command.ExecuteReader();
            var items = new List<(string, string, string?)>();
            while (reader.Read())
                items.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            return items;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="data"/> if the row is at <paramref name="expectedVersion"/> (null: absent). Equal data
    /// writes nothing, except that a row written before summaries existed gets <paramref name="summary"/> (clear-text
    /// listing metadata, null for none) filled in, keeping its version. Returns the row's version afterwards.
    /// </summary>
    public async Task<string> WriteAsync(string kind, string key, string item, byte[] data, string? summary, string? expectedVersion, CancellationToken cancellationToken)
    {
        return await _db.RunAsync(() =>
        {
            using var transaction = _db.Connection.BeginTransaction(deferred: false);
            var current = ReadLocked(kind, key, transaction);
            if (current?.Version != expectedVersion)
                throw new StoreConcurrencyException(item, expectedVersion, current?.Version);
            if (current is not null && current.Data.AsSpan().SequenceEqual(data))
            {
                // Equal data gives an equal summary, except on rows written before summaries existed: fill those in.
                if (summary is not null)
                {
                    using var fill = _db.Command("UPDATE store_items SET summary = $summary WHERE kind = $kind AND item_key = $key AND summary IS NULL;",
                        ("$kind", kind), ("$key", key), ("$summary", summary));
                    fill.Transaction = transaction;
                    if (fill.ExecuteNonQuery() > 0) transaction.Commit();
                }
                return current.Version;
            }

            var version = Guid.NewGuid().ToString("N");
            var payload = Protector(kind, key).Protect(data);
            using var command = current is null
                ? _db.Command("INSERT INTO store_items (kind, item_key, version, payload, summary) VALUES ($kind, $key, $version, $payload, $summary);",
                    ("$kind", kind), ("$key", key), ("$version", version), ("$payload", payload), ("$summary", (object?)summary ?? DBNull.Value))
                : _db.Command("UPDATE store_items SET version = $version, payload = $payload, summary = $summary WHERE kind = $kind AND item_key = $key AND version = $expected;",
                    ("$kind", kind), ("$key", key), ("$version", version), ("$payload", payload), ("$summary", (object?)summary ?? DBNull.Value), ("$expected", expectedVersion!));
            command.Transaction = transaction;
            if (command.ExecuteNonQuery() != 1)
                throw new StoreConcurrencyException(item, expectedVersion, ReadLocked(kind, key, transaction)?.Version);
            transaction.Commit();
            return version;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts the row unless one exists; returns whichever is stored afterwards (first writer wins).</summary>
    public async Task<StoredItem> InsertIfAbsentAsync(string kind, string key, byte[] data, CancellationToken cancellationToken)
    {
        return await _db.RunAsync(() =>
        {
            using var transaction = _db.Connection.BeginTransaction(deferred: false);
            using var command = _db.Command("INSERT OR IGNORE INTO store_items (kind, item_key, version, payload) VALUES ($kind, $key, $version, $payload);",
                ("$kind", kind), ("$key", key), ("$version", Guid.NewGuid().ToString("N")), ("$payload", Protector(kind, key).Protect(data)));
            command.Transaction = transaction;
            command.ExecuteNonQuery();
            var stored = ReadLocked(kind, key, transaction)!;
            transaction.Commit();
            return stored;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string kind, string key, CancellationToken cancellationToken)
    {
        await _db.RunAsync(() =>
        {
            using var command = _db.Command("DELETE FROM store_items WHERE kind = $kind AND item_key = $key;", ("$kind", kind), ("$key", key));
            command.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rows inserted, updated or deleted through this connection since it opened (SQLite's total_changes()).</summary>
    internal async Task<long> CountChangesAsync(CancellationToken cancellationToken = default)
    {
        return await _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT total_changes();");
            return (long)command.ExecuteScalar()!;
        }, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _db.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private StoredItem? ReadLocked(string kind, string key, SqliteTransaction? transaction = null)
    {
        using var command = _db.Command("SELECT version, payload FROM store_items WHERE kind = $kind AND item_key = $key;", ("$kind", kind), ("$key", key));
        command.Transaction = transaction;
        using var reader = command.ExecuteReader();
        return reader.Read() ? Unprotect(kind, key, reader.GetString(0), (byte[])reader[1]) : null;
    }

    private StoredItem Unprotect(string kind, string key, string version, byte[] payload)
    {
        try
        {
            return new StoredItem(key, Protector(kind, key).Unprotect(payload), version);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new InvalidDataException(
                $"The stored {kind} '{key}' cannot be decrypted: the DataProtection key ring in the data folder is missing or not the one it was written with.", e);
        }
    }

    private IDataProtector Protector(string kind, string key) => _protector.CreateProtector(kind, key);

    private void Execute(string sql)
    {
        using var command = _db.Command(sql);
        command.ExecuteNonQuery();
    }
}

/// <summary>A decrypted row.</summary>
internal sealed record StoredItem(string Key, byte[] Data, string Version);
