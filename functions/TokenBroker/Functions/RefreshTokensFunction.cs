using Microsoft.Azure.Functions.Worker;
using TokenBroker.Jobs;
using TokenBroker.Jobs.Refresh;

namespace TokenBroker.Functions;

/// <summary>The refresh timer: keeps every mailbox's tokens alive and reports each state change as an event.</summary>
public sealed class RefreshTokensFunction(RefreshJob job)
{
    public const string FunctionName = "RefreshTokens";
    public const string Schedule = "%RefreshSchedule%";
    public const string EventsQueueName = "broker-events";

    [Function(FunctionName)]
    public async Task<RefreshTokensOutputs> RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var outputs = new InvocationOutputs();
        await job.RunAsync(outputs, cancellationToken).ConfigureAwait(false);
        return new RefreshTokensOutputs { Events = outputs[RefreshJob.EventsBinding] };
    }
}

/// <summary>The sweep's state-change events; written to broker-events only when the sweep succeeds.</summary>
public sealed class RefreshTokensOutputs
{
    [QueueOutput(RefreshTokensFunction.EventsQueueName, Connection = FunctionConnections.Storage)]
    public string[]? Events { get; init; }
}
