using System.Diagnostics.Metrics;
using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Refresh;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Telemetry;

/// <summary>
/// The figures ops watch, on the "TokenBroker" meter: refreshes by outcome, mailboxes by state (as of the last sweep),
/// mail requests by kind and outcome, and how long requests waited in their queue. Exported by OpenTelemetry
/// (Application Insights on Azure, OTLP standalone when configured).
/// </summary>
public sealed class BrokerMetrics
{
    public const string MeterName = "TokenBroker";

    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _mailRequests;
    private readonly Histogram<double> _queueWait;
    private IReadOnlyDictionary<MailboxState, int> _mailboxesByState = new Dictionary<MailboxState, int>();

    public BrokerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _refreshes = meter.CreateCounter<long>("tokenbroker.refreshes", "{mailbox}", "Mailboxes the refresh timer handled, by outcome (refreshed, skipped, failed).");
        _mailRequests = meter.CreateCounter<long>("tokenbroker.mail.requests", "{request}", "Mail requests the worker finished or gave back to the queue, by kind (send, fetch) and outcome.");
        _queueWait = meter.CreateHistogram<double>("tokenbroker.queue.wait", "s", "Time from a request's insertion into its queue to the start of its handling.");
        meter.CreateObservableGauge("tokenbroker.mailboxes", ObserveMailboxes, "{mailbox}", "Mailboxes by state, as of the last refresh sweep.");
    }

    public void RecordSweep(RefreshSweepResult result, IReadOnlyDictionary<MailboxState, int> mailboxesByState)
    {
        _refreshes.Add(result.Refreshed, new KeyValuePair<string, object?>("outcome", "refreshed"));
        _refreshes.Add(result.Skipped, new KeyValuePair<string, object?>("outcome", "skipped"));
        _refreshes.Add(result.Failed, new KeyValuePair<string, object?>("outcome", "failed"));
        _mailboxesByState = mailboxesByState;
    }

    /// <param name="outcome">sent, duplicate, fetched, failed (for good: poison) or retried (a transient failure).</param>
    public void RecordMailRequest(string? kind, string outcome) =>
        _mailRequests.Add(1, new KeyValuePair<string, object?>("kind", kind ?? "unknown"), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordQueueWait(string queue, TimeSpan waited) =>
        _queueWait.Record(Math.Max(0, waited.TotalSeconds), new KeyValuePair<string, object?>("queue", queue));

    private IEnumerable<Measurement<int>> ObserveMailboxes() =>
        _mailboxesByState.Select(pair => new Measurement<int>(pair.Value, new KeyValuePair<string, object?>("state", pair.Key.ToString())));
}
