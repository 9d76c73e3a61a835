namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Holds a long invocation open until the test lets it finish, counting how often the handler was invoked.</summary>
public sealed class InvocationGate
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

/// <summary>A queue function on %SlowQueue% that runs until <see cref="InvocationGate.Finish"/> (like a long fetch), then succeeds.</summary>
public sealed class GatedQueueFunction(InvocationGate gate)
{
    [Microsoft.Azure.Functions.Worker.Function("Slow")]
    public async Task RunAsync([Microsoft.Azure.Functions.Worker.QueueTrigger("%SlowQueue%")] string message, CancellationToken cancellationToken)
    {
        gate.Enter();
        await gate.Finish.Task.WaitAsync(cancellationToken);
    }
}
