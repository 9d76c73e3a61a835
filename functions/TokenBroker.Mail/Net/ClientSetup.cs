namespace TokenBroker.Mail.Net;

/// <summary>A client half set up (greeting read, TLS not yet up) is useless to the caller: dispose it if a step fails.</summary>
internal static class ClientSetup
{
    public static async Task<T> CompleteAsync<T>(T client, Func<T, Task> step) where T : IAsyncDisposable
    {
        try
        {
            await step(client).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
