using Microsoft.Data.Sqlite;

namespace TokenBroker.Sqlite;

/// <summary>
/// One open SQLite connection that async callers take turns on: a connection is not safe for concurrent use, so
/// every piece of work runs inside <see cref="RunAsync{T}"/>, one at a time. SQLite blocks (a write, a busy wait on
/// another process's lock): work called from a thread outside the pool, such as a socket's event thread when the
/// bridge runs socket completions inline, is moved to the pool so that it never holds up other connections.
/// </summary>
internal sealed class SerializedSqliteConnection(SqliteConnection connection) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>For transactions; use only inside <see cref="RunAsync{T}"/>.</summary>
    public SqliteConnection Connection => connection;

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await Hosting.PoolThread.EnsureAsync();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RunAsync(Action work, CancellationToken cancellationToken) =>
        RunAsync(() => { work(); return true; }, cancellationToken);

    /// <summary>A command with named parameters ("$name", value); use only inside <see cref="RunAsync{T}"/>.</summary>
    public SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    public void Dispose()
    {
        connection.Dispose();
        _gate.Dispose();
    }
}
