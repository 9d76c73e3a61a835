using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>Records what each invocation received, so tests can assert on it.</summary>
public sealed class InvocationRecorder
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

/// <summary>Records each message with its metadata; a message starting with {"echo" is returned on the results output.</summary>
public sealed class RecordingQueueFunction
{
    private readonly InvocationRecorder _recorder;
    private readonly ILogger<RecordingQueueFunction> _logger;

    public RecordingQueueFunction(InvocationRecorder recorder, ILogger<RecordingQueueFunction> logger) => (_recorder, _logger) = (recorder, logger);

    [Function("Work")]
    public WorkOutputs Run([QueueTrigger("%WorkQueue%")] string message, string id, long dequeueCount, DateTimeOffset? insertionTime, string popReceipt)
    {
        _recorder.Messages.Enqueue(new QueueTriggerMessage(message, id, dequeueCount, insertionTime, null, null, popReceipt));
        _logger.LogReceived(id);
        return new WorkOutputs { Results = message.StartsWith("{\"echo\"", StringComparison.Ordinal) ? message : null };
    }
}

public sealed class WorkOutputs
{
    [QueueOutput("work-results")]
    public string? Results { get; init; }
}

public sealed class FailingQueueFunction
{
    private readonly InvocationRecorder _recorder;

    public FailingQueueFunction(InvocationRecorder recorder) => _recorder = recorder;

    [Function("Doomed")]
    public void Run([QueueTrigger("%DoomedQueue%")] string message, string id, long dequeueCount)
    {
        _recorder.Messages.Enqueue(new QueueTriggerMessage(message, id, dequeueCount, null, null, null, null));
        throw new InvalidOperationException("the handler always fails");
    }
}

/// <summary>A timer every five minutes that records its TimerInfo and returns a tick on its output.</summary>
public sealed class RecordingTimerFunction
{
    private readonly InvocationRecorder _recorder;

    public RecordingTimerFunction(InvocationRecorder recorder) => _recorder = recorder;

    [Function("Tick")]
    public TickOutputs Run([TimerTrigger("%TickSchedule%")] TimerInfo timer) => Record(_recorder, timer);

    internal static TickOutputs Record(InvocationRecorder recorder, TimerInfo timer)
    {
        recorder.Timers.Enqueue(timer);
        return new TickOutputs { Ticks = [$$"""{"pastDue":{{(timer.IsPastDue ? "true" : "false")}}}"""] };
    }
}

/// <summary>The same timer, declared to run on start-up too.</summary>
public sealed class StartupTimerFunction
{
    private readonly InvocationRecorder _recorder;

    public StartupTimerFunction(InvocationRecorder recorder) => _recorder = recorder;

    [Function("Tick")]
    public TickOutputs Run([TimerTrigger("%TickSchedule%", RunOnStartup = true)] TimerInfo timer) => RecordingTimerFunction.Record(_recorder, timer);
}

public sealed class TickOutputs
{
    [QueueOutput("tick-results")]
    public string[]? Ticks { get; init; }
}

/// <summary>GET /api/echo/{word} (anonymous) and GET /api/secret (function key).</summary>
public sealed class TestHttpFunctions
{
    [Function("Echo")]
    public IResult Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "echo/{word}")] HttpRequest request, string word) =>
        TypedResults.Ok(new { word });

    [Function("Secret")]
    public IResult Secret([HttpTrigger(AuthorizationLevel.Function, "get", Route = "secret")] HttpRequest request) =>
        TypedResults.Text("admin only");
}

internal static partial class TestFunctionLogs
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Received message {MessageId}")]
    public static partial void LogReceived(this ILogger logger, string messageId);
}
