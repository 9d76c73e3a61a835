using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The standalone ledger: one SQLite file (WAL, busy timeout) that several broker processes may share. Sent records
/// are inserted with INSERT OR IGNORE, so the first writer wins atomically; checkpoints carry a row version checked
/// inside an IMMEDIATE transaction. Rows are keyed by hashes (<see cref="LedgerKeys"/>): the file holds no address.
/// </summary>
public sealed class SqliteMailLedger : IMailLedger, IDisposable, IAsyncDisposable
{
    private readonly SerializedSqliteConnection _db;
    private readonly SqliteMailLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    public SqliteMailLedger(SqliteMailLedgerOptions options, TimeProvider? timeProvider = null, ILogger<SqliteMailLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        _db = new SerializedSqliteConnection(SqliteMailLedgerSchema.Open(DatabasePath, options.BusyTimeout));
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    public async Task<SentRecord?> FindSentAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var (mailboxKey, key) = (LedgerKeys.Mailbox(mailbox), LedgerKeys.IdempotencyKey(idempotencyKey));
        return await _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT message_id, sent_at, recipients FROM sent_records WHERE mailbox = $mailbox AND idempotency_key = $key;",
                ("$mailbox", mailboxKey), ("$key", key));
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new SentRecord(reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero), reader.GetInt32(2))
                : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordSentAsync(string mailbox, string idempotencyKey, SentRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.MessageId);
        var (mailboxKey, key) = (LedgerKeys.Mailbox(mailbox), LedgerKeys.IdempotencyKey(idempotencyKey));
        await _db.RunAsync(() =>
        {
            var now = _time.GetUtcNow();
            using (var insert = _db.Command("""
                INSERT OR IGNORE INTO sent_records (mailbox, idempotency_key, message_id, sent_at, recipients, recorded_at)
                VALUES ($mailbox, $key, $messageId, $sentAt, $recipients, $recordedAt);
                """,
                ("$mailbox", mailboxKey), ("$key", key), ("$messageId", record.MessageId), ("$sentAt", record.SentAt.UtcTicks),
                ("$recipients", record.Recipients), ("$recordedAt", now.UtcTicks)))
            {
                insert.ExecuteNonQuery();
            }
            PurgeIfDue(now);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordAttemptAsync(string mailbox, string idempotencyKey, SendAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentException.ThrowIfNullOrEmpty(attempt.MessageId);
        var (mailboxKey, key) = (LedgerKeys.Mailbox(mailbox), LedgerKeys.IdempotencyKey(idempotencyKey));
        await _db.RunAsync(() =>
        {
            using var upsert = _db.Command("""
                INSERT OR REPLACE INTO send_attempts (mailbox, idempotency_key, message_id, committing_at, message_date)
                VALUES ($mailbox, $key, $messageId, $at, $date);
                """,
                ("$mailbox", mailboxKey), ("$key", key), ("$messageId", attempt.MessageId), ("$at", attempt.CommittingAt.UtcTicks),
                ("$date", attempt.MessageDate is { } date ? date.UtcTicks : DBNull.Value));
            upsert.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SendAttempt?> FindAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var (mailboxKey, key) = (LedgerKeys.Mailbox(mailbox), LedgerKeys.IdempotencyKey(idempotencyKey));
        return await _db.RunAsync(() =>
        {
            using var command = _db.Command("SELECT message_id, committing_at, message_date FROM send_attempts WHERE mailbox = $mailbox AND idempotency_key = $key;",
                ("$mailbox", mailboxKey), ("$key", key));
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new SendAttempt(reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
                    reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero))
                : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task ForgetAttemptAsync(string mailbox, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var (mailboxKey, key) = (LedgerKeys.Mailbox(mailbox), LedgerKeys.IdempotencyKey(idempotencyKey));
        await _db.RunAsync(() =>
        {
            using var delete = _db.Command("DELETE FROM send_attempts WHERE mailbox = $mailbox AND idempotency_key = $key;",
                ("$mailbox", mailboxKey), ("$key", key));
            delete.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Versioned<FetchCheckpoint>?> GetCheckpointAsync(string mailbox, string protocol, string folder, CancellationToken cancellationToken = default)
    {
        var key = LedgerKeys.Checkpoint(mailbox, protocol, folder);
        return await _db.RunAsync(() =>
        {
            return ReadCheckpoint(key, transaction: null) is { } row
                ? new Versioned<FetchCheckpoint>(LedgerJson.DeserializeCheckpoint(row.Payload, $"The checkpoint in {DatabasePath}"), row.Version)
                : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Versioned<FetchCheckpoint>> SaveCheckpointAsync(string mailbox, string protocol, string folder, FetchCheckpoint checkpoint,
        string? expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var key = LedgerKeys.Checkpoint(mailbox, protocol, folder);
        var payload = LedgerJson.Serialize(checkpoint);
        return await _db.RunAsync(() =>
        {
            // IMMEDIATE: the write lock is taken before the version is read, so no other process can slip in between.
            using var transaction = _db.Connection.BeginTransaction(deferred: false);
            var current = ReadCheckpoint(key, transaction);
            if (current?.Version != expectedVersion)
                throw new StoreConcurrencyException(CheckpointItem(mailbox, protocol, folder), expectedVersion, current?.Version);

            var version = current is null ? 1 : long.Parse(current.Version, System.Globalization.CultureInfo.InvariantCulture) + 1;
            using var write = current is null
                ? _db.Command("INSERT INTO fetch_checkpoints (checkpoint_key, version, payload) VALUES ($key, $version, $payload);",
                    ("$key", key), ("$version", version), ("$payload", payload))
                : _db.Command("UPDATE fetch_checkpoints SET version = $version, payload = $payload WHERE checkpoint_key = $key;",
                    ("$key", key), ("$version", version), ("$payload", payload));
            write.Transaction = transaction;
            write.ExecuteNonQuery();
            transaction.Commit();
            return new Versioned<FetchCheckpoint>(LedgerJson.DeserializeCheckpoint(payload, "The saved checkpoint"), VersionText(version));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes sent records recorded more than the retention ago; returns how many. Runs by itself on writes, at most every PurgeInterval.</summary>
    internal async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        return await _db.RunAsync(() =>
        {
            return Purge(_time.GetUtcNow());
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

    internal static string CheckpointItem(string mailbox, string protocol, string folder) =>
        $"Fetch checkpoint of {mailbox} ({protocol} {folder})";

    // The record is already stored when this runs: a failing purge (another process holding the lock past the
    // busy timeout) is logged and retried next interval, never reported as a failure to record the send.
    private void PurgeIfDue(DateTimeOffset now)
    {
        if (now - _lastPurge < _options.PurgeInterval) return;
        try
        {
            var deleted = Purge(now);
            if (deleted > 0) _logger.LogInformation("Mail ledger: purged {Count} sent records older than {Days} days.", deleted, _options.SentRetentionDays);
        }
        catch (SqliteException e)
        {
            _logger.LogWarning(e, "Mail ledger: purging old sent records failed; the next write after {Interval} tries again.", _options.PurgeInterval);
        }
    }

    private int Purge(DateTimeOffset now)
    {
        _lastPurge = now;
        var cutoff = now - TimeSpan.FromDays(_options.SentRetentionDays);
        using var command = _db.Command("DELETE FROM sent_records WHERE recorded_at < $cutoff;", ("$cutoff", cutoff.UtcTicks));
        var deleted = command.ExecuteNonQuery();
        using var attempts = _db.Command("DELETE FROM send_attempts WHERE committing_at < $cutoff;", ("$cutoff", cutoff.UtcTicks));
        attempts.ExecuteNonQuery();
        return deleted;
    }

    private CheckpointRow? ReadCheckpoint(string key, SqliteTransaction? transaction)
    {
        using var command = _db.Command("SELECT version, payload FROM fetch_checkpoints WHERE checkpoint_key = $key;", ("$key", key));
        command.Transaction = transaction;
        using var reader = command.ExecuteReader();
        return reader.Read() ? new CheckpointRow(VersionText(reader.GetInt64(0)), (byte[])reader[1]) : null;
    }

    private static string VersionText(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record CheckpointRow(string Version, byte[] Payload);
}
