using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// The worker's events (ISSUE5 design, version 1) on the "events" output binding (→ broker-events). They carry
/// ids, addresses and reasons; never a token or a message body.
/// </summary>
public sealed class MailEvents(TimeProvider timeProvider)
{
    public const string OutputBinding = "events";
    public const string PoisonBinding = "poison";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <param name="inDoubt">When an interrupted earlier attempt had to be resolved: what was found and done, in a sentence.</param>
    public void Sent(InvocationOutputs context, string mailbox, string requestId, string messageId, int recipients, IReadOnlyList<string>? refusedRecipients = null, string? inDoubt = null) =>
        Add(context, new MailEvent("mail.sent", mailbox, requestId)
        {
            MessageId = messageId,
            Recipients = recipients,
            RefusedRecipients = refusedRecipients is { Count: > 0 } ? refusedRecipients : null,
            InDoubt = inDoubt,
        });

    public void Duplicate(InvocationOutputs context, string mailbox, string requestId, string messageId, DateTimeOffset firstSentAt) =>
        Add(context, new MailEvent("mail.duplicate", mailbox, requestId) { MessageId = messageId, FirstSentAt = firstSentAt });

    public void Failed(InvocationOutputs context, string? mailbox, string? requestId, string? kind, string reason) =>
        Add(context, new MailEvent("mail.failed", mailbox, requestId) { Kind = kind, Reason = reason });

    /// <summary>The server throttled the mailbox; every instance leaves it alone until <paramref name="until"/>. Raised once per back-off.</summary>
    public void Throttled(InvocationOutputs context, string mailbox, string requestId, string reason, DateTimeOffset until) =>
        Add(context, new MailEvent("mail.throttled", mailbox, requestId) { Reason = reason, BackedOffUntil = until });

    private void Add(InvocationOutputs context, MailEvent mailEvent)
    {
        var stamped = mailEvent with { Id = Guid.NewGuid().ToString("N"), At = timeProvider.GetUtcNow() };
        context.AddOutput(OutputBinding, JsonSerializer.Serialize(stamped, Json));
    }
}

public sealed record MailEvent(string Type, string? Mailbox, string? RequestId)
{
    public int Version { get; init; } = 1;
    public string Id { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public string? Kind { get; init; }
    public string? MessageId { get; init; }
    public int? Recipients { get; init; }
    public IReadOnlyList<string>? RefusedRecipients { get; init; }
    public DateTimeOffset? FirstSentAt { get; init; }
    public string? InDoubt { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? BackedOffUntil { get; init; }
}
