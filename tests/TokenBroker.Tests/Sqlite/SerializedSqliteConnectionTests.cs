using Microsoft.Data.Sqlite;
using TokenBroker.Sqlite;

namespace TokenBroker.Tests.Sqlite;

/// <summary>SQLite work blocks: it never runs on a thread outside the pool (a socket's event thread, in the bridge).</summary>
public sealed class SerializedSqliteConnectionTests
{
    private static async Task<bool> RanOnPoolAsync(SerializedSqliteConnection database) =>
        await database.RunAsync(() => Thread.CurrentThread.IsThreadPoolThread, CancellationToken.None);

    [Fact]
    public void Work_called_from_a_dedicated_thread_runs_on_the_thread_pool()
    {
        using var database = new SerializedSqliteConnection(new SqliteConnection("Data Source=:memory:"));
        bool? onPool = null;

        var caller = new Thread(() => onPool = RanOnPoolAsync(database).GetAwaiter().GetResult());
        caller.Start();
        caller.Join(TimeSpan.FromSeconds(30));

        Assert.True(onPool);
    }

    [Fact]
    public async Task Work_called_from_the_pool_runs_where_it_was_called()
    {
        using var database = new SerializedSqliteConnection(new SqliteConnection("Data Source=:memory:"));

        Assert.True(await Task.Run(() => RanOnPoolAsync(database)));
    }
}
