using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenBroker.Jobs.Events;

/// <summary>
/// One event on the <c>broker-events</c> queue (and the webhook), version 1. Carries addresses, states and reasons
/// in words — never a token, a secret or a message body.
/// </summary>
public sealed record BrokerEvent
{
    public const string StateChangedType = "mailbox.state-changed";
    public const string BridgeLoginRefusedType = "bridge.login-refused";
    public const string RecoveredType = "mailbox.recovered";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int Version { get; init; } = 1;
    public required string Type { get; init; }
    public string Id { get; init; } = Guid.NewGuid().ToString("n");
    public required DateTimeOffset At { get; init; }
    public required string Mailbox { get; init; }
    public string? RequestId { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Reason { get; init; }

    /// <summary>Every mailbox the change applies to, when one cause changed several at once (a broken client credential).</summary>
    public IReadOnlyList<string>? Mailboxes { get; init; }

    /// <summary>The bridge client (app) whose login was refused, and the protocol it used.</summary>
    public string? App { get; init; }
    public string? Protocol { get; init; }

    public static BrokerEvent StateChanged(string mailbox, string from, string to, string? reason, DateTimeOffset at) =>
        new() { Type = StateChangedType, Mailbox = mailbox, From = from, To = to, Reason = reason, At = at };

    /// <summary>The bridge refused an app's login because the mailbox has no usable token (needs consent, and why).</summary>
    public static BrokerEvent BridgeLoginRefused(string mailbox, string app, string protocol, string reason, DateTimeOffset at) =>
        new() { Type = BridgeLoginRefusedType, Mailbox = mailbox, App = app, Protocol = protocol, Reason = reason, At = at };

    /// <summary>
    /// A mailbox that was failing (needs consent, broken credential, or refreshes that kept failing) works again:
    /// <paramref name="from"/> is the state it left, <paramref name="reason"/> says what fixed it and what was wrong.
    /// </summary>
    public static BrokerEvent Recovered(string mailbox, string from, string reason, DateTimeOffset at) =>
        new() { Type = RecoveredType, Mailbox = mailbox, From = from, To = "Connected", Reason = reason, At = at };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static BrokerEvent Parse(string json) =>
        JsonSerializer.Deserialize<BrokerEvent>(json, Json) ?? throw new JsonException("The event JSON is null.");
}
