using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Telemetry;

namespace TokenBroker.Jobs.Refresh;

/// <summary>What the RefreshTokens timer does: one <see cref="RefreshSweep"/>; each state change goes to the <c>events</c> output and the webhook.</summary>
public sealed class RefreshJob(RefreshSweep sweep, WebhookEventPublisher webhook, BrokerMetrics metrics, TokenBroker.Jobs.Events.Journal.EventRecorder? journal = null)
{
    public const string EventsBinding = "events";

    public async Task RunAsync(InvocationOutputs context, CancellationToken cancellationToken)
    {
        var result = await sweep.RunAsync(cancellationToken).ConfigureAwait(false);
        metrics.RecordSweep(result, result.MailboxesByState);
        foreach (var brokerEvent in result.Events)
            context.AddOutput(EventsBinding, brokerEvent.ToJson());
        await webhook.PublishAsync(result.Events, cancellationToken).ConfigureAwait(false);
        if (journal is not null) await journal.RecordAsync(result.Events.Select(e => e.ToJson()), cancellationToken).ConfigureAwait(false);
    }
}
