using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Jobs.Mailboxes;
using TokenBroker.Jobs.Queues;
using TokenBroker.Jobs.Status;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Dashboard;

/// <summary>An invitation the connect form just issued.</summary>
public sealed record IssuedInvitation(string Mailbox, string Url, DateTimeOffset ExpiresAt);

/// <summary>Everything one dashboard page shows, limited to the mailboxes the signed-in credential covers.</summary>
public sealed record DashboardView(
    Caller Caller,
    string CsrfToken,
    IReadOnlyList<MailboxStatus> Mailboxes,
    IReadOnlyList<RecordedEvent> Events,
    IReadOnlyList<QueueDepth> Depths,
    IReadOnlyList<PoisonedRequest> Poisoned)
{
    public const int EventsShown = 25;

    public string? Notice { get; init; }
    public bool NoticeIsError { get; init; }
    public MailboxProbeReport? Probe { get; init; }
    public IssuedInvitation? Invitation { get; init; }
}

/// <summary>Reads what the dashboard shows; re-consent links are fresh invitations, issued only for mailboxes the caller administers.</summary>
public sealed class DashboardViewLoader(IMailboxRegistry registry, ConsentInvitations invitations, IOptions<OAuthOptions> options,
    IEventJournal journal, PoisonedRequests poisoned)
{
    public async Task<DashboardView> LoadAsync(HttpContext context, DashboardSessions.SignedIn signedIn, CancellationToken cancellationToken)
    {
        var caller = signedIn.Caller;
        var statuses = new List<MailboxStatus>();
        var canLink = OAuthSettings.TryGet(options, out _, out _);
        foreach (var mailbox in (await registry.ListAsync(cancellationToken)).Select(m => m.Value).Where(m => caller.May(CallerOperations.Status, m.Address)))
        {
            string? link = null;
            if (canLink && MailboxStatus.NeedsConsentLink(mailbox) && caller.May(CallerOperations.Admin, mailbox.Address))
            {
                var request = new InvitationRequest(mailbox.Address, mailbox.Protocols, mailbox.DelegateAddress, mailbox.TenantId, null, false, caller.Name);
                link = (await invitations.IssueAsync(request, mailbox, PublicAddress.BaseUrl(context, options.Value), cancellationToken)).Url.AbsoluteUri;
            }
            statuses.Add(MailboxStatus.Of(mailbox, link));
        }
        var events = await EventsApi.VisibleAsync(journal, caller, null, DashboardView.EventsShown, cancellationToken);
        var depths = await poisoned.DepthsAsync(cancellationToken);
        var requests = await poisoned.ListAsync(m => caller.May(CallerOperations.Status, m), cancellationToken);
        return new DashboardView(caller, signedIn.CsrfToken, [.. statuses.OrderBy(s => s.Address, StringComparer.OrdinalIgnoreCase)], events, depths, requests);
    }
}
