using Microsoft.Extensions.Logging;

namespace TokenBroker.Jobs.Events.Journal;

/// <summary>
/// Keeps the events a job produced in the journal for people to read. A journal that cannot be written is logged and
/// otherwise ignored: the job's outcome and its broker-events messages must not depend on it.
/// </summary>
public sealed class EventRecorder(IEventJournal journal, ILogger<EventRecorder> logger)
{
    public async Task RecordAsync(IEnumerable<string>? eventJsons, CancellationToken cancellationToken)
    {
        var events = eventJsons?.ToList();
        if (events is not { Count: > 0 }) return;
        try
        {
            await journal.AppendAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("{Count} events could not be kept in the event journal ({Type}: {Reason}); they are on broker-events all the same.",
                events.Count, exception.GetType().Name, exception.Message);
        }
    }
}
