namespace TokenBroker.Hosting.Functions;

public interface ITimerFunction
{
    Task RunAsync(TimerInfo timer, FunctionContext context, CancellationToken cancellationToken);
}

/// <summary>What the Functions host passes to a timer trigger (and the standalone scheduler reproduces).</summary>
public sealed record TimerInfo(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next);
