using System.Threading.Channels;
using Grpc.Core;
using TokenBroker.Tests.Hosting.WorkerProtocol.Rpc;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The FunctionRpc service the worker dials: each EventStream call becomes a <see cref="WorkerStream"/>
/// handed to the test, and the call stays open until the test closes that stream.
/// </summary>
internal sealed class FunctionRpcService : FunctionRpc.FunctionRpcBase
{
    private readonly Channel<WorkerStream> _connected = Channel.CreateUnbounded<WorkerStream>();

    public ChannelReader<WorkerStream> Connected => _connected.Reader;

    public override async Task EventStream(
        IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        var stream = new WorkerStream(responseStream);
        await _connected.Writer.WriteAsync(stream, context.CancellationToken);
        var reading = ReadAsync(stream, requestStream, context.CancellationToken);
        await Task.WhenAny(stream.Closed, reading);
    }

    private static async Task ReadAsync(WorkerStream stream, IAsyncStreamReader<StreamingMessage> requestStream, CancellationToken cancellationToken)
    {
        try
        {
            while (await requestStream.MoveNext(cancellationToken))
                stream.Received(requestStream.Current);
            stream.Ended("the worker completed its request stream");
        }
        catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or OperationCanceledException)
        {
            stream.Ended($"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
