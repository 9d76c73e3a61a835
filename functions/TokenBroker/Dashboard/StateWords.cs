using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Jobs.Status;

namespace TokenBroker.Dashboard;

/// <summary>States and events in the words an operator reads.</summary>
internal static class StateWords
{
    public static string Badge(string state) => state switch
    {
        "Connected" => "Connected",
        "NeedsConsent" => "Needs consent",
        "PendingConsent" => "Waiting for consent",
        "BrokenCredential" => "Broker credential broken",
        "Disabled" => "Disabled",
        _ => state,
    };

    public static string Reason(MailboxStatus mailbox) => mailbox.Reason ?? mailbox.State switch
    {
        "Connected" when mailbox.MissingScopes.Count > 0 => "Connected, but the token lacks scopes the chosen protocols need: re-consent.",
        "Connected" => "Tokens are kept alive.",
        "NeedsConsent" => "A person must sign in again through a new consent link.",
        "PendingConsent" => "An invitation was issued; nobody has signed in with it yet.",
        "BrokenCredential" => "The identity provider refuses the broker's own client credential; fix OAuth:ClientSecret or the certificate.",
        "Disabled" => "Switched off by an operator: not refreshed, not used for send or fetch.",
        _ => "",
    };

    public static string EventDetails(RecordedEvent e)
    {
        using var document = System.Text.Json.JsonDocument.Parse(e.Json);
        var root = document.RootElement;
        string? Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
        var parts = new List<string>();
        if (Field("from") is { } from && Field("to") is { } to) parts.Add($"{Badge(from)} → {Badge(to)}");
        if (Field("requestId") is { } request) parts.Add("request " + request);
        if (e.Reason is { } reason) parts.Add(reason);
        return string.Join("; ", parts);
    }
}
