namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// One published worker (TOKENBROKER_PUBLISH_DIR) started and initialized through the protocol, shared by
/// the tests of a class. A start-up failure fails each of them with the worker's output and messages.
/// </summary>
public sealed class PublishedWorker : IAsyncLifetime
{
    private WorkerSession? _session;

    internal WorkerSession Session => _session ?? throw new InvalidOperationException("The published worker has not started.");

    public async ValueTask InitializeAsync() => _session = await WorkerSession.StartAsync();

    /// <summary>
    /// Best effort: a worker or server that will not stop cleanly on a loaded machine is no finding about the broker,
    /// and a throwing fixture cleanup would end the whole test run (xunit treats it as a pipeline failure).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_session is null)
            return;
        try
        {
            await _session.DisposeAsync();
        }
        catch (Exception exception)
        {
            await Console.Error.WriteLineAsync($"The published worker's session did not stop cleanly: {exception}");
        }
    }
}
