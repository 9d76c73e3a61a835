using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace TokenBroker.Queues;

/// <summary>
/// Queues in one SQLite database file (WAL mode), for standalone mode. Durable: a message is stored when
/// <see cref="SendAsync"/> returns, and a killed process loses nothing committed. Several transports, in
/// one process or several on the same machine, may share the file: a receive leases its messages in a
/// single UPDATE ... RETURNING statement, so no two consumers hold the same message at once.
/// WAL needs shared memory: keep the file on a local disk, never on a network share.
/// Each instance owns one connection; operations that arrive while it is busy are committed together
/// (<see cref="SqliteGroupCommit"/>), so share one instance per process rather than opening many.
/// </summary>
public sealed class SqliteQueueTransport : IQueueTransport, IAsyncDisposable, IDisposable
{
    private readonly SqliteQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly SqliteConnection _connection;
    private readonly SqliteGroupCommit _group;
    private readonly SqliteCommand _createQueue, _send, _receive, _delete, _release, _renew, _count, _peek, _purgeExpired;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private int _disposed;

    public SqliteQueueTransport(SqliteQueueOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, "Queues:Sqlite:DatabasePath");
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _connection = Open(options);
        _createQueue = Prepare(SqliteQueueSchema.CreateQueue, "$queue");
        _send = Prepare(SqliteQueueSchema.Send, "$queue", "$text", "$now", "$expires_at", "$visible_at");
        _receive = Prepare(SqliteQueueSchema.Receive, "$queue", "$now", "$visible_until", "$receipt", "$max");
        _delete = Prepare(SqliteQueueSchema.Delete, "$id", "$queue", "$receipt");
        _release = Prepare(SqliteQueueSchema.Release, "$id", "$queue", "$receipt", "$visible_at");
        _renew = Prepare(SqliteQueueSchema.Renew, "$id", "$queue", "$receipt", "$new_receipt", "$visible_at");
        _count = Prepare(SqliteQueueSchema.Count, "$queue", "$now");
        _peek = Prepare(SqliteQueueSchema.Peek, "$queue", "$now", "$max");
        _purgeExpired = Prepare(SqliteQueueSchema.PurgeExpired, "$now");
        _group = new SqliteGroupCommit(_connection);
    }

    public Task CreateIfNotExistsAsync(string queueName, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        return WithConnectionAsync(() =>
        {
            _createQueue.Parameters["$queue"].Value = queueName;
            _createQueue.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task SendAsync(string queueName, string messageText, TimeSpan? initialVisibilityDelay = null, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        QueueMessageLimits.EnsureFits(messageText);
        var delay = initialVisibilityDelay ?? TimeSpan.Zero;
        QueueMessageLimits.EnsureVisibility(delay, nameof(initialVisibilityDelay));
        return WithConnectionAsync(() =>
        {
            var now = _time.GetUtcNow();
            _send.Parameters["$queue"].Value = queueName;
            _send.Parameters["$text"].Value = messageText;
            _send.Parameters["$now"].Value = now.UtcTicks;
            _send.Parameters["$expires_at"].Value = (now + _options.MessageTimeToLive).UtcTicks;
            _send.Parameters["$visible_at"].Value = (now + delay).UtcTicks;
            _send.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ReceivedQueueMessage>> ReceiveAsync(string queueName, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        QueueMessageLimits.EnsureBatchSize(maxMessages);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        return WithConnectionAsync<IReadOnlyList<ReceivedQueueMessage>>(() =>
        {
            var now = _time.GetUtcNow();
            PurgeExpiredIfDue(now);
            var visibleUntil = now + visibilityTimeout;
            var receipt = NewPopReceipt();
            _receive.Parameters["$queue"].Value = queueName;
            _receive.Parameters["$now"].Value = now.UtcTicks;
            _receive.Parameters["$visible_until"].Value = visibleUntil.UtcTicks;
            _receive.Parameters["$receipt"].Value = receipt;
            _receive.Parameters["$max"].Value = maxMessages;
            var messages = new List<ReceivedQueueMessage>(maxMessages);
            using (var reader = _receive.ExecuteReader())
            {
                while (reader.Read())
                {
                    messages.Add(new ReceivedQueueMessage(
                        Id: reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                        PopReceipt: receipt,
                        Text: reader.GetString(1),
                        DequeueCount: reader.GetInt64(4),
                        InsertionTime: FromTicks(reader.GetInt64(2)),
                        ExpirationTime: FromTicks(reader.GetInt64(3)),
                        NextVisibleTime: visibleUntil));
                }
            }
            messages.Sort(static (a, b) => long.Parse(a.Id, CultureInfo.InvariantCulture).CompareTo(long.Parse(b.Id, CultureInfo.InvariantCulture)));
            return messages;
        }, cancellationToken);
    }

    public Task DeleteAsync(string queueName, ReceivedQueueMessage message, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        var id = ParseId(message);
        return WithConnectionAsync(() =>
        {
            _delete.Parameters["$id"].Value = id;
            _delete.Parameters["$queue"].Value = queueName;
            _delete.Parameters["$receipt"].Value = message.PopReceipt;
            if (_delete.ExecuteNonQuery() == 0) throw new QueueLeaseLostException(queueName, message.Id);
        }, cancellationToken);
    }

    public Task ReleaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityDelay, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityDelay, nameof(visibilityDelay));
        var id = ParseId(message);
        return WithConnectionAsync(() =>
        {
            _release.Parameters["$id"].Value = id;
            _release.Parameters["$queue"].Value = queueName;
            _release.Parameters["$receipt"].Value = message.PopReceipt;
            _release.Parameters["$visible_at"].Value = (_time.GetUtcNow() + visibilityDelay).UtcTicks;
            if (_release.ExecuteNonQuery() == 0) throw new QueueLeaseLostException(queueName, message.Id);
        }, cancellationToken);
    }

    public Task<ReceivedQueueMessage> RenewLeaseAsync(string queueName, ReceivedQueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        ArgumentNullException.ThrowIfNull(message);
        QueueMessageLimits.EnsureVisibility(visibilityTimeout, nameof(visibilityTimeout));
        var id = ParseId(message);
        return WithConnectionAsync(() =>
        {
            var visibleUntil = _time.GetUtcNow() + visibilityTimeout;
            var receipt = NewPopReceipt();
            _renew.Parameters["$id"].Value = id;
            _renew.Parameters["$queue"].Value = queueName;
            _renew.Parameters["$receipt"].Value = message.PopReceipt;
            _renew.Parameters["$new_receipt"].Value = receipt;
            _renew.Parameters["$visible_at"].Value = visibleUntil.UtcTicks;
            if (_renew.ExecuteNonQuery() == 0) throw new QueueLeaseLostException(queueName, message.Id);
            return message with { PopReceipt = receipt, NextVisibleTime = visibleUntil };
        }, cancellationToken);
    }

    public Task<int> GetApproximateCountAsync(string queueName, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        return WithConnectionAsync(() =>
        {
            _count.Parameters["$queue"].Value = queueName;
            _count.Parameters["$now"].Value = _time.GetUtcNow().UtcTicks;
            return Convert.ToInt32(_count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<PeekedQueueMessage>> PeekAsync(string queueName, int maxMessages, CancellationToken cancellationToken = default)
    {
        QueueNames.Validate(queueName);
        QueueMessageLimits.EnsureBatchSize(maxMessages);
        return WithConnectionAsync<IReadOnlyList<PeekedQueueMessage>>(() =>
        {
            _peek.Parameters["$queue"].Value = queueName;
            _peek.Parameters["$now"].Value = _time.GetUtcNow().UtcTicks;
            _peek.Parameters["$max"].Value = maxMessages;
            using var reader = _peek.ExecuteReader();
            var messages = new List<PeekedQueueMessage>();
            while (reader.Read())
                messages.Add(new PeekedQueueMessage(reader.GetInt64(0).ToString(CultureInfo.InvariantCulture), reader.GetString(1), reader.GetInt64(2), FromTicks(reader.GetInt64(3))));
            return messages;
        }, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _group.Dispose(); // waits for the operation in progress; later ones fail with ObjectDisposedException
        foreach (var command in new[] { _createQueue, _send, _receive, _delete, _release, _renew, _count, _purgeExpired }) command.Dispose();
        _connection.Dispose();
    }

    private static SqliteConnection Open(SqliteQueueOptions options)
    {
        var fullPath = Path.GetFullPath(options.DatabasePath);
        try
        {
            TokenBroker.Sqlite.PrivateFiles.PrepareDatabaseFile(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot create the directory of the queue database '{fullPath}' (Queues:Sqlite:DatabasePath): {e.Message}", e);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // the instance keeps its one connection; disposing must really close the file
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            using var setup = connection.CreateCommand();
            setup.CommandTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
            setup.CommandText = $"""
                PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = {(options.SyncEveryCommit ? "FULL" : "NORMAL")};
                {SqliteQueueSchema.Create}
                """;
            setup.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidOperationException($"Cannot open the queue database '{fullPath}' (Queues:Sqlite:DatabasePath): {e.Message}", e);
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames) command.Parameters.Add(new SqliteParameter(name, null));
        return command;
    }

    private void PurgeExpiredIfDue(DateTimeOffset now)
    {
        if (now - _lastPurge < _options.PurgeInterval) return;
        _purgeExpired.Parameters["$now"].Value = now.UtcTicks;
        _purgeExpired.ExecuteNonQuery();
        _lastPurge = now;
    }

    private Task WithConnectionAsync(Action operation, CancellationToken cancellationToken) =>
        WithConnectionAsync<object?>(() => { operation(); return null; }, cancellationToken);

    private Task<T> WithConnectionAsync<T>(Func<T> operation, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        return _group.RunAsync(operation, cancellationToken);
    }

    private static long ParseId(ReceivedQueueMessage message) =>
        long.TryParse(message.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ArgumentException($"'{message.Id}' is not a message id of this queue.", nameof(message));

    private static string NewPopReceipt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
