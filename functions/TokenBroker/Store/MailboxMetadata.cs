using System.Globalization;

namespace TokenBroker.Store;

/// <summary>
/// The listing metadata both stores keep next to a mailbox record (Key Vault tags, the embedded summary column):
/// state, mode, protocols, tenant and times. Never an address, a token or reason text (it may quote a person).
/// Times are whole seconds, truncated, so a summary never looks later than the record: it may call a mailbox due
/// a moment early (the record read decides), never late.
/// </summary>
internal static class MailboxMetadata
{
    public const string State = "state";
    public const string Mode = "mode";
    public const string Protocols = "protocols";
    public const string Tenant = "tenant";
    public const string TokenExpiresAt = "tokenExpiresAt";
    public const string LastRefreshAt = "lastRefreshAt";
    public const string ConsentExpiresAt = "consentExpiresAt";
    public const string NextAttemptAt = "nextAttemptAt";

    public static Dictionary<string, string> Of(Mailbox mailbox)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [State] = mailbox.State.ToString(),
            [Mode] = mailbox.Mode.ToString(),
            [Protocols] = mailbox.Protocols.ToString().Replace(", ", "+", StringComparison.Ordinal),
            [Tenant] = mailbox.TenantId,
        };
        if (mailbox.AccessTokenExpiresAt is { } expires) tags[TokenExpiresAt] = Format(expires);
        if (mailbox.LastRefreshAt is { } refreshed) tags[LastRefreshAt] = Format(refreshed);
        if (mailbox.PendingConsent is { } pending) tags[ConsentExpiresAt] = Format(pending.ExpiresAt);
        if (mailbox.Backoff is { } backoff) tags[NextAttemptAt] = Format(backoff.NextAttemptAt);
        return tags;
    }

    /// <summary>Metadata without a state tag gives a summary with every field unknown: no time alone decides anything.</summary>
    public static MailboxSummary Summarize(string id, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null || !tags.TryGetValue(State, out var stateText) || !Enum.TryParse<MailboxState>(stateText, out var state))
            return new MailboxSummary(id, null, null, null, null);
        return new MailboxSummary(id, state, Time(tags, TokenExpiresAt), Time(tags, LastRefreshAt), Time(tags, NextAttemptAt));
    }

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> tags, string name) =>
        tags.TryGetValue(name, out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
