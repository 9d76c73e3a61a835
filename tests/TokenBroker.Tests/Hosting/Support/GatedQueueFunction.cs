using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Holds a long invocation open until the test lets it finish, counting how often the handler was invoked.</summary>
internal sealed class InvocationGate
{
    private int _invocations;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int Invocations => Volatile.Read(ref _invocations);

    public void Enter()
    {
        Interlocked.Increment(ref _invocations);
        Started.TrySetResult();
    }
}

/// <summary>A queue function that runs until <see cref="InvocationGate.Finish"/> (like a long fetch), then succeeds.</summary>
internal sealed class GatedQueueFunction(InvocationGate gate) : IQueueFunction
{
    public async Task RunAsync(QueueTriggerMessage message, InvocationOutputs context, CancellationToken cancellationToken)
    {
        gate.Enter();
        await gate.Finish.Task.WaitAsync(cancellationToken);
    }
}
