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

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
            await _session.DisposeAsync();
    }
}
