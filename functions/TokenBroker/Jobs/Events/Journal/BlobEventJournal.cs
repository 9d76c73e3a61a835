using System.Text.Json;
using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Jobs.Events.Journal;

/// <summary>
/// The journal on Azure: one JSON blob (the newest events, at most the capacity) in the ledger's container, replaced
/// with If-Match so that instances appending at once retry rather than overwrite each other.
/// </summary>
internal sealed class BlobEventJournal(LedgerContainer container) : IEventJournal
{
    public const string BlobName = "events/recent.json";
    private const int MaxAttempts = 8;

    public async Task AppendAsync(IEnumerable<string> eventJsons, CancellationToken cancellationToken = default)
    {
        var added = eventJsons.Where(json => RecordedEvent.FromJson(json) is not null).ToList();
        if (added.Count == 0) return;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var current = await container.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
            var kept = current is null ? [] : Parse(current.Data);
            kept.AddRange(added);
            if (kept.Count > IEventJournal.Capacity) kept.RemoveRange(0, kept.Count - IEventJournal.Capacity);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(kept);
            if (await container.PutIfAsync(BlobName, bytes, current?.ETag, cancellationToken).ConfigureAwait(false) is not null) return;
        }
        throw new InvalidOperationException($"The event journal blob '{BlobName}' kept changing during {MaxAttempts} attempts to append to it.");
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAsync(int limit, CancellationToken cancellationToken = default)
    {
        var current = await container.GetAsync(BlobName, cancellationToken).ConfigureAwait(false);
        if (current is null) return [];
        return Parse(current.Data).Select(RecordedEvent.FromJson).OfType<RecordedEvent>().Reverse().Take(Math.Clamp(limit, 0, IEventJournal.Capacity)).ToList();
    }

    private static List<string> Parse(byte[] data)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(data) ?? [];
        }
        catch (JsonException)
        {
            return []; // a damaged journal starts again rather than blocking every job that appends
        }
    }
}
