using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Events;

namespace TokenBroker.Jobs.Refresh;

/// <summary>The <c>RefreshTokens</c> timer: one <see cref="RefreshSweep"/>; each state change goes to the <c>events</c> output and the webhook.</summary>
public sealed class RefreshTimerFunction(RefreshSweep sweep, WebhookEventPublisher webhook) : ITimerFunction
{
    public const string FunctionName = "RefreshTokens";
    public const string Schedule = "%RefreshSchedule%";
    public const string EventsBinding = "events";
    public const string EventsQueue = "broker-events";

    public async Task RunAsync(TimerInfo timer, FunctionContext context, CancellationToken cancellationToken)
    {
        var result = await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
        foreach (var brokerEvent in result.Events)
            context.AddOutput(EventsBinding, brokerEvent.ToJson());
        await webhook.PublishAsync(result.Events, cancellationToken).ConfigureAwait(false);
    }
}
