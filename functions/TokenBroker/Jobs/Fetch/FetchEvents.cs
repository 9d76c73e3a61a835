using System.Text.Json;
using System.Text.Json.Serialization;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Jobs.Fetch;

/// <summary>The mail.fetched event (ISSUE5 design, version 1): counts and message ids, never message content.</summary>
public sealed class FetchEvents(TimeProvider timeProvider)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Fetched(InvocationOutputs context, MailFetchedEvent fetched)
    {
        var stamped = fetched with { Id = Guid.NewGuid().ToString("N"), At = timeProvider.GetUtcNow() };
        context.AddOutput(MailEvents.OutputBinding, JsonSerializer.Serialize(stamped, Json));
    }
}

/// <param name="First">The first delivered message's UID (IMAP) or UIDL (POP3); null when none was delivered.</param>
/// <param name="Remaining">Messages still waiting (beyond maxMessages) for the next request.</param>
/// <param name="Reason">Words for anything unusual, e.g. a UIDVALIDITY change that made the folder be delivered again.</param>
public sealed record MailFetchedEvent(
    string Mailbox, string RequestId, string Protocol, string Folder, int Count, long Bytes,
    string? First, string? Last, int Remaining, string Sink)
{
    public int Version { get; init; } = 1;
    public string Type { get; init; } = "mail.fetched";
    public string Id { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public bool? UidValidityChanged { get; init; }
    public long? PreviousUidValidity { get; init; }
    public string? Reason { get; init; }
}
