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
    /// <summary>The send governor's view of the mailbox, over every instance sharing its state; null when mail is not part of the build.</summary>
    public SendingStatus? Sending { get; init; }

    /// <param name="reconsentUrl">An invitation link when <see cref="NeedsConsentLink"/> and the reader may issue one.</param>
    public static MailboxStatus Of(Mailbox mailbox, string? reconsentUrl)
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
            NeedsConsentLink(mailbox) ? reconsentUrl : null);
    }

    /// <summary>Delegated mailboxes that wait for a sign-in, or whose token lacks a scope their protocols need.</summary>
    public static bool NeedsConsentLink(Mailbox mailbox) =>
        mailbox.Mode == MailboxMode.Delegated
        && (mailbox.State is MailboxState.NeedsConsent or MailboxState.PendingConsent
            || (mailbox.State == MailboxState.Connected && ScopesMissingFrom(mailbox).Count > 0));

    private static IReadOnlyList<string> ScopesMissingFrom(Mailbox mailbox)
    {
        var granted = mailbox.GrantedScopes.Select(ShortName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return MailScopes.DelegatedScopeNames(mailbox.Protocols).Where(scope => !granted.Contains(scope)).ToArray();
    }

    private static string ShortName(string scope)
    {
        var slash = scope.LastIndexOf('/');
        return slash >= 0 ? scope[(slash + 1)..] : scope;
    }
}

/// <summary>Per mailbox: SMTP connections open on all instances, messages in the current window, recipients in the last 24 hours, and a server back-off with its reason.</summary>
public sealed record SendingStatus(int ConnectionsInUse, int MaxConnections, int MessagesInWindow, int MessagesPerWindow, TimeSpan Window,
    long RecipientsToday, int RecipientsPerDay, DateTimeOffset? BackedOffUntil, string? BackOffReason);
