using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Status;

/// <summary>What an operator needs to know about one mailbox at a glance; never a token.</summary>
public sealed record MailboxStatus(
    string Address,
    string Mode,
    string State,
    string? Reason,
    DateTimeOffset? AccessTokenExpiresAt,
    DateTimeOffset? LastRefreshAt,
    string? LastError,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyList<string> RequiredScopes,
    IReadOnlyList<string> MissingScopes,
    string? ReconsentUrl)
{
    /// <summary>
    /// <paramref name="consentBaseUrl"/> is where the broker's consent start is reached (OAuth:PublicBaseUrl, else the
    /// address the request came in on).
    /// </summary>
    public static MailboxStatus Of(Mailbox mailbox, string consentBaseUrl)
    {
        var required = mailbox.Mode == MailboxMode.AppOnly
            ? MailScopes.AppRoles(mailbox.Protocols)
            : MailScopes.DelegatedScopeNames(mailbox.Protocols);
        // Granted scopes may be stored as full URIs (https://outlook.office.com/IMAP.AccessAsUser.All) or short names.
        var granted = mailbox.GrantedScopes.Select(ShortName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = required.Where(scope => !granted.Contains(scope)).ToArray();
        return new MailboxStatus(
            mailbox.Address,
            mailbox.Mode.ToString(),
            mailbox.State.ToString(),
            mailbox.StateReason,
            mailbox.AccessTokenExpiresAt,
            mailbox.LastRefreshAt,
            mailbox.LastError,
            mailbox.GrantedScopes,
            required,
            missing,
            NeedsConsentLink(mailbox, missing) ? ConsentLink(mailbox, consentBaseUrl) : null);
    }

    private static bool NeedsConsentLink(Mailbox mailbox, IReadOnlyList<string> missing) =>
        mailbox.Mode == MailboxMode.Delegated
        && (mailbox.State is MailboxState.NeedsConsent or MailboxState.PendingConsent
            || (mailbox.State == MailboxState.Connected && missing.Count > 0));

    private static string ConsentLink(Mailbox mailbox, string baseUrl)
    {
        var protocols = string.Join(',', MailScopes.Describe(mailbox.Protocols).Split(", ").Select(p => p.ToLowerInvariant()));
        var link = $"{baseUrl.TrimEnd('/')}/api/consent/start?mailbox={Uri.EscapeDataString(mailbox.Address)}&protocols={Uri.EscapeDataString(protocols)}";
        if (mailbox.DelegateAddress is not null) link += "&delegate=" + Uri.EscapeDataString(mailbox.DelegateAddress);
        return link + "&tenant=" + Uri.EscapeDataString(mailbox.TenantId);
    }

    private static string ShortName(string scope)
    {
        var slash = scope.LastIndexOf('/');
        return slash >= 0 ? scope[(slash + 1)..] : scope;
    }
}
