namespace TokenBroker.Bridge;

/// <summary>
/// The bridge relays bytes between sockets all day: its socket completions run on the socket event threads instead of
/// being handed to the thread pool (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1). Measured with the bridge benchmark
/// on 2 cores: the bridge's CPU per MB relayed fell from 12-14.5 ms to 4.3-6.8 ms and per SMTP message from ~1.6 to
/// 1.0-1.5 ms (benchmarks/README.md). Work that can block (the in-process secret and token checks, SQLite) moves itself
/// to the pool (PoolThread), so an event thread only relays.
/// </summary>
public static class BridgeSockets
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Must run before the process's first socket operation (the runtime reads the variable once); an operator's own
    /// value, "0" included, is kept.
    /// </summary>
    public static void PreferInlineCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
    }
}
