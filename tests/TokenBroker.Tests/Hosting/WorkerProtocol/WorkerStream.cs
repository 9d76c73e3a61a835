using Grpc.Core;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// One worker's EventStream as the host sees it: messages the worker sent wait here until a test claims
/// them (in any order, so replies to concurrent requests can be matched by id), logs are only recorded,
/// and every message both ways goes into a transcript for failure reports.
/// </summary>
internal sealed class WorkerStream
{
    private const int TranscriptLength = 40;

    private readonly IServerStreamWriter<StreamingMessage> _toWorker;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly List<StreamingMessage> _unclaimed = [];
    private readonly Queue<string> _transcript = new();
    private readonly object _lock = new();
    private TaskCompletionSource _arrival = NewSignal();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _endReason;

    public WorkerStream(IServerStreamWriter<StreamingMessage> toWorker) => _toWorker = toWorker;

    /// <summary>Completes when the test ends the stream; the gRPC call stays open until then.</summary>
    public Task Closed => _closed.Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        Record("host -> worker", message);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _toWorker.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Called by the gRPC service for each message the worker sends.</summary>
    public void Received(StreamingMessage message)
    {
        Record("worker -> host", message);
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
            return;
        lock (_lock)
        {
            _unclaimed.Add(message);
            _arrival.TrySetResult();
            _arrival = NewSignal();
        }
    }

    /// <summary>Called by the gRPC service when the worker's side of the stream ends.</summary>
    public void Ended(string reason)
    {
        lock (_lock)
        {
            _endReason = reason;
            _arrival.TrySetResult();
        }
    }

    public void Close() => _closed.TrySetResult();

    /// <summary>The first message of the given kind that matches, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<StreamingMessage> NextAsync(
        StreamingMessage.ContentOneofCase kind, Func<StreamingMessage, bool> matches, TimeSpan timeout, Func<string> describeFailure)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrival;
            lock (_lock)
            {
                var found = _unclaimed.FirstOrDefault(message => message.ContentCase == kind && matches(message));
                if (found is not null)
                {
                    _unclaimed.Remove(found);
                    return found;
                }
                if (_endReason is not null)
                    throw new InvalidOperationException($"The worker ended the stream ({_endReason}) before sending {kind}.\n{describeFailure()}");
                arrival = _arrival.Task;
            }
            try
            {
                await arrival.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {kind} from the worker within {timeout.TotalSeconds:0} s.\n{describeFailure()}");
            }
        }
    }

    public string Transcript()
    {
        lock (_transcript)
            return _transcript.Count == 0 ? "  (no messages)" : string.Join('\n', _transcript.Select(line => "  " + line));
    }

    private void Record(string direction, StreamingMessage message)
    {
        var line = $"{direction} {MessageSummary.Of(message)}";
        lock (_transcript)
        {
            _transcript.Enqueue(line);
            while (_transcript.Count > TranscriptLength)
                _transcript.Dequeue();
        }
    }
}
