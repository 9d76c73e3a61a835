using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace TokenBroker.Queues;

/// <summary>
/// Runs operations on one connection, one caller at a time, and commits the operations that queued up
/// meanwhile together: whoever holds the connection runs everything waiting in one transaction. Concurrent
/// sends and deletes (a consumer finishing a batch) then cost one commit per group instead of one each.
/// An operation's task completes only after its transaction committed. An operation cancelled before
/// it started never runs.
/// </summary>
internal sealed class SqliteGroupCommit : IDisposable
{
    private const int MaxOperationsPerCommit = 64;
    private readonly ConcurrentQueue<Operation> _waiting = new();
    private readonly SemaphoreSlim _connectionGate = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin, _commit, _rollback;
    private bool _disposed;

    public SqliteGroupCommit(SqliteConnection connection)
    {
        _connection = connection;
        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _rollback = Command("ROLLBACK");
    }

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var operation = new Operation<T>(work);
        _waiting.Enqueue(operation);
        var holdsConnection = false;
        try
        {
            await _connectionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            holdsConnection = true;
        }
        catch (OperationCanceledException) when (operation.TryCancel())
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another caller already started it: its outcome follows shortly.
        }
        if (holdsConnection)
        {
            try
            {
                while (!operation.IsFinished) RunWaitingGroup();
            }
            finally
            {
                _connectionGate.Release();
            }
        }
        return await operation.Result.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _connectionGate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            while (_waiting.TryDequeue(out var operation))
                if (operation.TryStart()) operation.Fail(new ObjectDisposedException(nameof(SqliteQueueTransport)));
            _begin.Dispose();
            _commit.Dispose();
            _rollback.Dispose();
        }
        finally
        {
            _connectionGate.Release();
        }
    }

    private void RunWaitingGroup()
    {
        var group = new List<Operation>();
        while (group.Count < MaxOperationsPerCommit && _waiting.TryDequeue(out var next))
            if (next.TryStart()) group.Add(next);
        if (group.Count == 0) return;
        if (_disposed)
        {
            foreach (var operation in group) operation.Fail(new ObjectDisposedException(nameof(SqliteQueueTransport)));
            return;
        }
        if (group.Count == 1)
        {
            group[0].Run(inGroup: false);
            group[0].Publish();
            return;
        }
        try
        {
            _begin.ExecuteNonQuery();
            foreach (var operation in group) operation.Run(inGroup: true);
            _commit.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            TryRollback();
            foreach (var operation in group) operation.Fail(e);
            return;
        }
        foreach (var operation in group) operation.Publish();
    }

    private void TryRollback()
    {
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // SQLite already rolled back (e.g. after an I/O error); nothing is left open.
        }
    }

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private abstract class Operation
    {
        private const int Waiting = 0, Started = 1, Cancelled = 2;
        private int _state;

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

        public bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting;

        public abstract bool IsFinished { get; }

        /// <summary>In a group, a database error aborts the whole transaction, so it propagates; any other error is this operation's own.</summary>
        public abstract void Run(bool inGroup);

        public abstract void Publish();

        public abstract void Fail(Exception error);
    }

    private sealed class Operation<T>(Func<T> work) : Operation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _value;
        private Exception? _error;

        public Task<T> Result => _completion.Task;

        public override bool IsFinished => _completion.Task.IsCompleted;

        public override void Run(bool inGroup)
        {
            try
            {
                _value = work();
            }
            catch (Exception e) when (!inGroup || e is not SqliteException)
            {
                _error = e;
            }
        }

        public override void Publish()
        {
            if (_error is null) _completion.TrySetResult(_value!);
            else _completion.TrySetException(_error);
        }

        public override void Fail(Exception error) => _completion.TrySetException(error);
    }
}
