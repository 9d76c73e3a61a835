namespace TokenBroker.Jobs.Events.Journal;

/// <summary>
/// The recent events, kept so that people can read them (GET /api/events, `tokenbroker events`, the dashboard); the
/// broker-events queue stays the record for programs. Bounded: only the newest <see cref="Capacity"/> are kept.
/// </summary>
public interface IEventJournal
{
    public const int Capacity = 500;

    /// <summary>Adds events (JSON texts as written to broker-events); texts that are no event are skipped.</summary>
    Task AppendAsync(IEnumerable<string> eventJsons, CancellationToken cancellationToken = default);

    /// <summary>The newest events first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadAsync(int limit, CancellationToken cancellationToken = default);
}
