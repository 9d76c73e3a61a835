using System.Text.Json;

namespace TokenBroker.Jobs.Events.Journal;

/// <summary>
/// One event as the journal keeps it: the fields the readers filter on, and the event's own JSON as it went to
/// broker-events (no token, no secret, no message body: the jobs never put one in an event).
/// </summary>
public sealed record RecordedEvent(string Id, DateTimeOffset At, string Type, string? Mailbox, string? Reason, string Json)
{
    /// <summary>The event's own fields (id, at, type, mailbox, reason), read from its JSON; null when it is not an event.</summary>
    public static RecordedEvent? FromJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var type = Text(root, "type");
            if (type is null) return null;
            var at = root.TryGetProperty("at", out var atElement) && atElement.TryGetDateTimeOffset(out var parsed) ? parsed : DateTimeOffset.UtcNow;
            return new RecordedEvent(Text(root, "id") ?? Guid.NewGuid().ToString("n"), at, type, Text(root, "mailbox"), Text(root, "reason"), json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every mailbox the event concerns: its mailbox, and the list a broken credential carries.</summary>
    public IReadOnlyList<string> Mailboxes()
    {
        var all = new List<string>();
        if (Mailbox is not null) all.Add(Mailbox);
        using var document = JsonDocument.Parse(Json);
        if (document.RootElement.TryGetProperty("mailboxes", out var list) && list.ValueKind == JsonValueKind.Array)
            all.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
        return all;
    }

    /// <summary>The request id of a mail event (mail.failed names the poisoned request).</summary>
    public string? RequestId
    {
        get
        {
            using var document = JsonDocument.Parse(Json);
            return Text(document.RootElement, "requestId");
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
