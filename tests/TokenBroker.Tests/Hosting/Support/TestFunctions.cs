using System.Collections.Concurrent;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Records what each invocation received, so tests can assert on it.</summary>
internal sealed class InvocationRecorder
{
    public ConcurrentQueue<QueueTriggerMessage> Messages { get; } = new();
    public ConcurrentQueue<TimerInfo> Timers { get; } = new();

    public async Task WaitForAsync(Func<InvocationRecorder, bool> condition, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (!condition(this))
            await Task.Delay(20, limit.Token);
    }
}

internal sealed class RecordingQueueFunction(InvocationRecorder recorder) : IQueueFunction
{
    public Task RunAsync(QueueTriggerMessage message, InvocationOutputs context, CancellationToken cancellationToken)
    {
        recorder.Messages.Enqueue(message);
        context.Logger.LogReceived(message.Id);
        if (message.Text.StartsWith("{\"echo\"", StringComparison.Ordinal))
            context.AddOutput("results", message.Text);
        return Task.CompletedTask;
    }
}

internal sealed class FailingQueueFunction(InvocationRecorder recorder) : IQueueFunction
{
    public Task RunAsync(QueueTriggerMessage message, InvocationOutputs context, CancellationToken cancellationToken)
    {
        recorder.Messages.Enqueue(message);
        throw new InvalidOperationException("the handler always fails");
    }
}

internal sealed class RecordingTimerFunction(InvocationRecorder recorder) : ITimerFunction
{
    public Task RunAsync(TimerInfo timer, InvocationOutputs context, CancellationToken cancellationToken)
    {
        recorder.Timers.Enqueue(timer);
        context.AddOutput("ticks", $$"""{"pastDue":{{(timer.IsPastDue ? "true" : "false")}}}""");
        return Task.CompletedTask;
    }
}

internal static partial class TestFunctionLogs
{
    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Received message {MessageId}")]
    public static partial void LogReceived(this Microsoft.Extensions.Logging.ILogger logger, string messageId);
}
