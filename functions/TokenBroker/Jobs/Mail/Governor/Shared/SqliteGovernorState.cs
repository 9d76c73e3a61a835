using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Sqlite;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>
/// The standalone face's shared governor: one SQLite file (WAL, busy timeout) that every broker process on the machine
/// opens. Each call is one IMMEDIATE transaction (the write lock is taken before the read, so two processes never
/// both see a free place). Connection slots are rows with a holder and an expiry, renewed while held: a killed process's
/// slots are free again once their expiry passes. Rows are keyed by hashes; the file holds no address.
/// </summary>
public sealed class SqliteGovernorState : IGovernorState, IDisposable
{
    private readonly SerializedSqliteConnection _db;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private long _operations;

    public SqliteGovernorState(string databasePath, TimeSpan busyTimeout, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        DatabasePath = Path.GetFullPath(databasePath);
        _db = new SerializedSqliteConnection(Open(DatabasePath, busyTimeout));
    }

    public string DatabasePath { get; }

    public string Kind => "sqlite";

    public long StorageOperations => Interlocked.Read(ref _operations);

    public Task<Admission> TryAdmitAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        UpdateAsync(mailbox, record => record.Admit(_time.GetUtcNow(), recipients, takeMessage: true, limits), cancellationToken);

    public Task<Admission> TryTakeRecipientsAsync(string mailbox, int recipients, GovernorLimits limits, CancellationToken cancellationToken) =>
        UpdateAsync(mailbox, record => record.Admit(_time.GetUtcNow(), recipients, takeMessage: false, limits), cancellationToken);

    public Task<bool> BackOffAsync(string mailbox, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        UpdateAsync(mailbox, record => record.BackOff(_time.GetUtcNow(), until, reason), cancellationToken);

    public async Task<IConnectionSlot?> TryAcquireConnectionAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        var key = LedgerKeys.Mailbox(mailbox);
        var holder = _instance + ":" + Guid.NewGuid().ToString("N");
        var slot = await _db.RunAsync(() =>
        {
            Interlocked.Increment(ref _operations);
            using var transaction = _db.Connection.BeginTransaction(deferred: false);
            var now = _time.GetUtcNow().UtcTicks;
            var taken = new HashSet<long>();
            using (var read = _db.Command("SELECT slot FROM governor_slots WHERE mailbox = $mailbox AND expires_at > $now;", ("$mailbox", key), ("$now", now)))
            {
                read.Transaction = transaction;
                using var reader = read.ExecuteReader();
                while (reader.Read()) taken.Add(reader.GetInt64(0));
            }
            var free = Enumerable.Range(0, limits.MaxConnections).Select(i => (long)i).FirstOrDefault(i => !taken.Contains(i), -1);
            if (free < 0) return -1;
            using var write = _db.Command("INSERT OR REPLACE INTO governor_slots (mailbox, slot, holder, expires_at) VALUES ($mailbox, $slot, $holder, $expires);",
                ("$mailbox", key), ("$slot", free), ("$holder", holder), ("$expires", now + limits.SlotLease.Ticks));
            write.Transaction = transaction;
            write.ExecuteNonQuery();
            transaction.Commit();
            return free;
        }, cancellationToken).ConfigureAwait(false);
        if (slot < 0) return null;
        return new RenewedSlot(mailbox, limits.SlotLease,
            renew: token => _db.RunAsync(() =>
            {
                Interlocked.Increment(ref _operations);
                using var update = _db.Command("UPDATE governor_slots SET expires_at = $expires WHERE mailbox = $mailbox AND slot = $slot AND holder = $holder;",
                    ("$mailbox", key), ("$slot", slot), ("$holder", holder), ("$expires", _time.GetUtcNow().UtcTicks + limits.SlotLease.Ticks));
                return update.ExecuteNonQuery() == 1;
            }, token),
            release: () => _db.RunAsync(() =>
            {
                Interlocked.Increment(ref _operations);
                using var delete = _db.Command("DELETE FROM governor_slots WHERE mailbox = $mailbox AND slot = $slot AND holder = $holder;",
                    ("$mailbox", key), ("$slot", slot), ("$holder", holder));
                delete.ExecuteNonQuery();
            }, CancellationToken.None),
            _time, _logger);
    }

    public async Task<GovernorSnapshot> ReadAsync(string mailbox, GovernorLimits limits, CancellationToken cancellationToken)
    {
        var key = LedgerKeys.Mailbox(mailbox);
        return await _db.RunAsync(() =>
        {
            Interlocked.Increment(ref _operations);
            var now = _time.GetUtcNow();
            using var count = _db.Command("SELECT COUNT(*) FROM governor_slots WHERE mailbox = $mailbox AND expires_at > $now;", ("$mailbox", key), ("$now", now.UtcTicks));
            var connections = Convert.ToInt32(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return Read(key, transaction: null).Snapshot(now, limits.Window, connections);
        }, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _db.Dispose();

    private Task<T> UpdateAsync<T>(string mailbox, Func<MailboxGovernorRecord, T> change, CancellationToken cancellationToken)
    {
        var key = LedgerKeys.Mailbox(mailbox);
        return _db.RunAsync(() =>
        {
            Interlocked.Increment(ref _operations);
            // IMMEDIATE: the write lock is taken before the read, so no other process can slip in between.
            using var transaction = _db.Connection.BeginTransaction(deferred: false);
            var record = Read(key, transaction);
            var result = change(record);
            using var write = _db.Command("INSERT OR REPLACE INTO governor_mailboxes (mailbox, payload) VALUES ($mailbox, $payload);",
                ("$mailbox", key), ("$payload", JsonSerializer.SerializeToUtf8Bytes(record, GovernorJson.Options)));
            write.Transaction = transaction;
            write.ExecuteNonQuery();
            transaction.Commit();
            return result;
        }, cancellationToken);
    }

    private MailboxGovernorRecord Read(string key, SqliteTransaction? transaction)
    {
        using var read = _db.Command("SELECT payload FROM governor_mailboxes WHERE mailbox = $mailbox;", ("$mailbox", key));
        read.Transaction = transaction;
        return read.ExecuteScalar() is byte[] payload
            ? GovernorJson.Read(payload, $"The governor row in {DatabasePath}")
            : new MailboxGovernorRecord();
    }

    private static SqliteConnection Open(string fullPath, TimeSpan busyTimeout) =>
        SharedDatabase.Open(fullPath, busyTimeout, "governor database (Mail:Governor:DatabasePath)", """
            CREATE TABLE IF NOT EXISTS governor_mailboxes (
                mailbox TEXT NOT NULL PRIMARY KEY,
                payload BLOB NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS governor_slots (
                mailbox    TEXT    NOT NULL,
                slot       INTEGER NOT NULL,
                holder     TEXT    NOT NULL,
                expires_at INTEGER NOT NULL,
                PRIMARY KEY (mailbox, slot)
            ) WITHOUT ROWID;
            """, syncEveryCommit: false);
}
