using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mailboxes;
using TokenBroker.Jobs.Queues;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Dashboard;

/// <summary>
/// GET dashboard and POST dashboard/{action}: the page, and its forms (signin, signout, connect, refresh, probe, disable,
/// enable, remove, requeue). Every POST but the sign-in needs the session and its CSRF token; every action checks the
/// signed-in caller's scope for "admin" on the mailbox, as the APIs do. A POST answers the page with the outcome.
/// </summary>
public sealed class DashboardEndpoints(
    DashboardSessions sessions,
    DashboardViewLoader loader,
    CallerAuthenticator authenticator,
    MailboxActions actions,
    MailboxProbe probe,
    PoisonedRequests poisoned,
    ConsentInvitations invitations,
    IOptions<OAuthOptions> options,
    ILogger<DashboardEndpoints> logger)
{
    public const string PageRoute = "dashboard";
    public const string ActionRoute = "dashboard/{action}";
    private const long MaxFormBytes = 16 * 1024;

    public async Task<IResult> GetAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var signedIn = await sessions.CurrentAsync(context, cancellationToken);
        if (signedIn is null) return await SignInAsync(context, null, StatusCodes.Status200OK, cancellationToken);
        return Render(context, await loader.LoadAsync(context, signedIn, cancellationToken));
    }

    public async Task<IResult> PostAsync(HttpContext context, string action, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType || context.Request.ContentLength is null or > MaxFormBytes)
            return Problem(context, StatusCodes.Status400BadRequest, "The dashboard takes its own forms only (a form of at most 16 KB).");
        var form = await context.Request.ReadFormAsync(cancellationToken);
        string? Field(string name) => form[name].FirstOrDefault()?.Trim();

        if (action == "signin") return await SignInPostAsync(context, Field("credential"), Field(DashboardPaths.CsrfField), cancellationToken);

        var signedIn = await sessions.CurrentAsync(context, cancellationToken);
        if (signedIn is null)
            return await SignInAsync(context, "Your session has ended; sign in again.", StatusCodes.Status401Unauthorized, cancellationToken);
        if (!DashboardSessions.IsValidCsrfToken(signedIn, Field(DashboardPaths.CsrfField)))
            return Problem(context, StatusCodes.Status403Forbidden, "This form did not come from your dashboard page (its CSRF token is missing or wrong); reload the dashboard and try again.");
        if (action == "signout")
        {
            sessions.End(context);
            DashboardLayout.SetHeaders(context);
            return TypedResults.Redirect(DashboardPaths.Base);
        }

        var caller = signedIn.Caller;
        var view = await ActAsync(context, action, caller, Field, form, cancellationToken);
        var loaded = await loader.LoadAsync(context, signedIn, cancellationToken);
        return Render(context, loaded with { Notice = view.Notice, NoticeIsError = view.NoticeIsError, Probe = view.Probe, Invitation = view.Invitation },
            view.Refused ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }

    /// <param name="NoticeIsError">The outcome is a failure (a refused refresh, a failed login): shown as an alert.</param>
    private sealed record Outcome(string? Notice, bool NoticeIsError = false, MailboxProbeReport? Probe = null, IssuedInvitation? Invitation = null)
    {
        /// <summary>The form itself was refused (bad input, not allowed): the answer is a 400, the page says why.</summary>
        public bool Refused { get; init; }
    }

    private static Outcome Refuse(string sentence) => new(sentence, NoticeIsError: true) { Refused = true };

    private async Task<Outcome> ActAsync(HttpContext context, string action, Caller caller, Func<string, string?> field, IFormCollection form, CancellationToken cancellationToken)
    {
        if (action == "requeue")
        {
            if (!caller.May(CallerOperations.Admin)) return Refuse($"The client '{caller.Name}' may not requeue requests (it lacks admin).");
            var requeued = await poisoned.RequeueAsync(field("id") ?? "", m => caller.May(CallerOperations.Admin, m), cancellationToken);
            return requeued is null
                ? Refuse("That poisoned request is no longer waiting (requeued already?), or you do not administer its mailbox.")
                : new Outcome($"Request {requeued.RequestId ?? requeued.Id} of {requeued.Mailbox ?? "?"} is back on mail-requests.");
        }
        var addressField = action == "connect" ? "address" : "mailbox";
        if (!AddressInput.TryNormalize(field(addressField), out var mailbox, out var addressError))
            return Refuse("Mailbox address: " + addressError);
        if (!caller.May(CallerOperations.Admin, mailbox))
            return Refuse($"The client '{caller.Name}' may not administer {mailbox}.");
        try
        {
            switch (action)
            {
                case "connect": return await ConnectAsync(context, caller, mailbox, form, cancellationToken);
                case "probe":
                    var report = await probe.ProbeAsync(mailbox, field("protocol") ?? "imap", cancellationToken);
                    return new Outcome(report.Succeeded ? $"{mailbox}: {report.Protocol.ToUpperInvariant()} login succeeded." : $"{mailbox}: {report.Protocol.ToUpperInvariant()} login failed.", !report.Succeeded, report);
                case "refresh": return FromResult(await actions.RefreshNowAsync(mailbox, caller.Name, cancellationToken));
                case "disable": return FromResult(await actions.DisableAsync(mailbox, caller.Name, cancellationToken));
                case "enable": return FromResult(await actions.EnableAsync(mailbox, caller.Name, cancellationToken));
                case "remove":
                    if (field("confirm") != "yes") return Refuse($"Tick \"I mean it\" to remove {mailbox}.");
                    return FromResult(await actions.RemoveAsync(mailbox, caller.Name, cancellationToken));
                default: return Refuse($"'{action}' is not something the dashboard does.");
            }
        }
        catch (MailboxActionRefusedException refused)
        {
            return Refuse(refused.Message);
        }
        catch (ConsentInvitationException refused)
        {
            return Refuse(refused.Message);
        }
    }

    private async Task<Outcome> ConnectAsync(HttpContext context, Caller caller, string mailbox, IFormCollection form, CancellationToken cancellationToken)
    {
        if (!OAuthSettings.TryGet(options, out var oauth, out var failures))
            return Refuse("Consent is not configured: " + string.Join(" ", failures));
        if (!MailScopes.TryParseProtocols(string.Join(",", form["protocols"].Where(p => p is not null)), out var protocols, out var protocolError))
            return Refuse("Protocols: " + protocolError);
        string? delegateAddress = null;
        if (form["kind"].FirstOrDefault() == "shared")
        {
            if (!AddressInput.TryNormalize(form["delegate"].FirstOrDefault(), out delegateAddress, out var delegateError))
                return Refuse("A shared mailbox needs the delegate who signs in: " + delegateError);
            if (AddressInput.SameAddress(delegateAddress, mailbox)) delegateAddress = null;
        }
        if (string.IsNullOrWhiteSpace(oauth.TenantId)) return Refuse("Set OAuth:TenantId to connect mailboxes from the dashboard.");
        var (url, expiresAt) = await invitations.IssueAsync(new InvitationRequest(mailbox, protocols, delegateAddress, oauth.TenantId, null, false, caller.Name),
            PublicAddress.BaseUrl(context, oauth), cancellationToken);
        logger.LogInformation("Dashboard: {Caller} issued a consent invitation for {Mailbox}.", caller.Name, mailbox);
        return new Outcome($"Invitation for {mailbox} created.", Invitation: new IssuedInvitation(mailbox, url.AbsoluteUri, expiresAt));
    }

    private static Outcome FromResult(MailboxActionResult result) => new(result.Message, !result.Succeeded);

    private async Task<IResult> SignInPostAsync(HttpContext context, string? credential, string? token, CancellationToken cancellationToken)
    {
        if (!await sessions.IsValidSignInTokenAsync(context, token, cancellationToken))
            return await SignInAsync(context, "The sign-in form expired or did not come from this page; try again.", StatusCodes.Status403Forbidden, cancellationToken);
        var caller = string.IsNullOrEmpty(credential) ? null : await authenticator.FindBySecretAsync(credential, cancellationToken);
        if (caller is null)
            return await SignInAsync(context, "That is not a valid client secret or master key.", StatusCodes.Status401Unauthorized, cancellationToken);
        if (!caller.May(CallerOperations.Admin))
            return await SignInAsync(context, $"The client '{caller.Name}' may not administer mailboxes (its operations lack admin).", StatusCodes.Status403Forbidden, cancellationToken);
        if (!await sessions.StartAsync(context, credential!, cancellationToken))
            return await SignInAsync(context, "Only client secrets and the master key sign in here (Entra tokens do not).", StatusCodes.Status401Unauthorized, cancellationToken);
        logger.LogInformation("Dashboard: {Caller} signed in.", caller.Name);
        DashboardLayout.SetHeaders(context);
        return TypedResults.Redirect(DashboardPaths.Base);
    }

    private async Task<IResult> SignInAsync(HttpContext context, string? problem, int statusCode, CancellationToken cancellationToken) =>
        DashboardLayout.Page(context, "Sign in", SignInPage.Render(await sessions.SignInTokenAsync(context, cancellationToken), problem), statusCode);

    private static IResult Render(HttpContext context, DashboardView view, int statusCode = StatusCodes.Status200OK) =>
        DashboardLayout.Page(context, "Dashboard", DashboardPage.Render(view), statusCode);

    private static IResult Problem(HttpContext context, int statusCode, string sentence) =>
        DashboardLayout.Page(context, "Refused", $"<main id=\"main\"><h1>Refused</h1><p role=\"alert\">{Html.E(sentence)}</p><p><a href=\"{DashboardPaths.Base}\">Back to the dashboard</a></p></main>", statusCode);
}
