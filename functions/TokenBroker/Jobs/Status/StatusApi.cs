using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Bridge.Reports;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Status;

/// <summary>
/// GET /api/status: the <see cref="MailboxStatus"/> of every mailbox the caller's scope covers with "status", sorted by
/// address. Re-consent links are fresh invitations, issued only to callers who administer that mailbox.
/// </summary>
public static class StatusApi
{
    public const string Route = "status";

    public static async Task<IResult> GetAsync(HttpContext context, IMailboxRegistry registry, CallerAccess access,
        ConsentInvitations invitations, IOptions<OAuthOptions> options, IOptions<TokenBroker.Hosting.Configuration.BrokerOptions> broker, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await access.AuthenticateAsync(context, cancellationToken);
        if (refusal is not null) return refusal;
        if (CallerAccess.Authorize(caller!, CallerOperations.Status) is { } forbidden) return forbidden;

        // Without valid OAuth settings the mailboxes are still listed; what sign-in lacks is said, and no link is made.
        var signInReady = OAuthSettings.TryGet(options, out var oauth, out var signInProblems);
        var baseUrl = signInReady ? PublicAddress.BaseUrl(context, oauth!) : null;
        var governor = context.RequestServices.GetService<SendGovernor>();
        var statuses = new List<MailboxStatus>();
        foreach (var mailbox in (await registry.ListAsync(cancellationToken)).Select(m => m.Value).Where(m => caller!.May(CallerOperations.Status, m.Address)))
        {
            var link = signInReady && MailboxStatus.NeedsConsentLink(mailbox) && caller!.May(CallerOperations.Admin, mailbox.Address)
                ? (await invitations.IssueAsync(ReconsentOf(mailbox, caller.Name), mailbox, baseUrl!, cancellationToken)).Url.AbsoluteUri
                : null;
            statuses.Add(MailboxStatus.Of(mailbox, link) with { Sending = await SendingOfAsync(governor, mailbox.Address, cancellationToken) });
        }
        // The mail bridge's counters (another process on the same data folder), for the mailboxes this caller may see.
        bool Visible(TokenBroker.Bridge.BridgeCounters counter) => caller!.May(CallerOperations.Status, counter.Mailbox);
        var bridge = TokenBroker.Bridge.BridgeStatusFile.Read(broker.Value.DataDirectory) is { } written
            ? written with { Counters = [.. written.Counters.Where(Visible)] }
            : null;
        // Bridges next to the apps on other machines report to the broker (PUT /api/bridge/status); a report with nothing
        // this caller may see is left out whole, name included.
        var remoteBridges = context.RequestServices.GetService<IBridgeReports>() is { } reports
            ? (await reports.ReadAllAsync(cancellationToken))
                .Select(r => r with { Counters = [.. r.Counters.Where(Visible)] })
                .Where(r => r.Counters.Count > 0)
                .OrderBy(r => r.Name, StringComparer.Ordinal).ToList()
            : [];
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new StatusReport([.. statuses.OrderBy(s => s.Address, StringComparer.OrdinalIgnoreCase)])
        {
            Bridge = bridge,
            RemoteBridges = remoteBridges.Count > 0 ? remoteBridges : null,
            SignInProblems = signInReady ? null : signInProblems,
        }, StatusReport.JsonOptions);
    }

    private static async Task<SendingStatus?> SendingOfAsync(SendGovernor? governor, string address, CancellationToken cancellationToken)
    {
        if (governor is null) return null;
        var now = await governor.ReadAsync(address, cancellationToken);
        var limits = governor.Limits;
        return new SendingStatus(now.ConnectionsInUse, limits.MaxConnections, now.MessagesInWindow, limits.MessagesPerWindow, limits.Window,
            now.RecipientsToday, limits.RecipientsPerDay, now.BackedOffUntil, now.BackOffReason);
    }

    private static InvitationRequest ReconsentOf(Mailbox mailbox, string issuedBy) =>
        new(mailbox.Address, mailbox.Protocols, mailbox.DelegateAddress, mailbox.TenantId, Lifetime: null, ReplaceAccount: false, issuedBy);
}

public sealed record StatusReport(IReadOnlyList<MailboxStatus> Mailboxes)
{
    /// <summary>Sessions, messages and refusals per app, mailbox and protocol as the bridge last wrote them; null without a bridge.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public TokenBroker.Bridge.BridgeStatus? Bridge { get; init; }

    /// <summary>What each bridge on another machine last reported (by the name of the client it reports with); null without any.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RemoteBridgeReport>? RemoteBridges { get; init; }

    public static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>
    /// Present only when the OAuth settings are missing or invalid: one sentence per setting to fix. Mailboxes are
    /// still listed, but no consent or re-consent link can be issued until then.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? SignInProblems { get; init; }
}
