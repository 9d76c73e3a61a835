namespace TokenBroker.Hosting;

/// <summary>
/// Work that blocks (SQLite, a token check that reads a store or parses a cache) must not run on a socket's event
/// thread: the bridge runs socket completions inline (BridgeSockets), and such a thread serves many connections.
/// </summary>
internal static class PoolThread
{
    /// <summary>Continues on the thread pool when called from any other thread; on a pool thread, goes on where it is.</summary>
    public static async ValueTask EnsureAsync()
    {
        if (!Thread.CurrentThread.IsThreadPoolThread) await Task.Yield();
    }
}
