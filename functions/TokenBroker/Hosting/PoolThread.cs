using System.Runtime.CompilerServices;

namespace TokenBroker.Hosting;

/// <summary>
/// Work that blocks (SQLite, a token check that reads a store or parses a cache) must not run on a socket's event
/// thread: the bridge runs socket completions inline (BridgeSockets), and such a thread serves many connections.
/// </summary>
internal static class PoolThread
{
    /// <summary>
    /// Continues on the thread pool when called from any other thread; on a pool thread, goes on where it is. An
    /// awaiter of its own, not an async method around Task.Yield: the caller of such a method could find it already
    /// completed by the pool and then go on inline, on the very thread it was to leave.
    /// </summary>
    public static Hop EnsureAsync() => default;

    public readonly struct Hop : ICriticalNotifyCompletion
    {
        public Hop GetAwaiter() => this;

        public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

        public void GetResult() { }

        public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static run => run(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static run => run(), continuation, preferLocal: false);
    }
}
