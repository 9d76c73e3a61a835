using System.Text;
using TokenBroker.Callers;
using TokenBroker.Jobs.Mailboxes;
using TokenBroker.Jobs.Status;
using static TokenBroker.Dashboard.Html;

namespace TokenBroker.Dashboard;

/// <summary>The dashboard itself: mailboxes with their state and actions, the connect form, a probe's transcript, recent events, queues.</summary>
internal static class DashboardPage
{
    public static string Render(DashboardView view)
    {
        var page = new StringBuilder(16384);
        page.Append("<header><h1>TokenBroker</h1><p>Signed in as <strong>").Append(E(view.Caller.Name)).Append("</strong> ");
        Form(page, "signout", view.CsrfToken, "<button type=\"submit\">Sign out</button>");
        page.Append("</p></header><main id=\"main\" tabindex=\"-1\">");
        if (view.Notice is not null)
            page.Append("<div class=\"notice").Append(view.NoticeIsError ? " error\" role=\"alert\"" : "\" role=\"status\"").Append(" id=\"notice\">")
                .Append(E(view.Notice)).Append("</div>");
        if (view.Invitation is { } invitation) Invitation(page, invitation);
        if (view.Probe is { } probe) Probe(page, probe);
        Mailboxes(page, view);
        Connect(page, view);
        Events(page, view);
        Queues(page, view);
        page.Append("</main>");
        return page.ToString();
    }

    private static void Mailboxes(StringBuilder page, DashboardView view)
    {
        page.Append("<section aria-labelledby=\"mailboxes-title\"><h2 id=\"mailboxes-title\">Mailboxes</h2>");
        if (view.Mailboxes.Count == 0)
        {
            page.Append("<p>No mailbox you may see is registered. Connect one below.</p></section>");
            return;
        }
        page.Append("<table><caption>Every mailbox your credential covers</caption><thead><tr>")
            .Append("<th scope=\"col\">Mailbox</th><th scope=\"col\">State</th><th scope=\"col\">Token expires</th><th scope=\"col\">Last refresh</th>")
            .Append("<th scope=\"col\">Scopes</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        foreach (var mailbox in view.Mailboxes)
        {
            var admin = view.Caller.May(CallerOperations.Admin, mailbox.Address);
            page.Append("<tr data-mailbox=\"").Append(E(mailbox.Address)).Append("\"><th scope=\"row\">").Append(E(mailbox.Address))
                .Append("<br><small>").Append(E(mailbox.Mode)).Append("</small></th><td><span class=\"badge badge-").Append(E(mailbox.State)).Append("\">")
                .Append(E(StateWords.Badge(mailbox.State))).Append("</span><p class=\"reason\">").Append(E(StateWords.Reason(mailbox))).Append("</p>");
            if (mailbox.LastError is { } error && error != mailbox.Reason)
                page.Append("<p><strong>Last error:</strong> ").Append(E(error)).Append("</p>");
            if (mailbox.ReconsentUrl is { } link)
                page.Append("<p><a href=\"").Append(E(link)).Append("\">Re-consent link for ").Append(E(mailbox.Address)).Append("</a> (a fresh invitation; send it to the person who signs in)</p>");
            page.Append("</td><td>").Append(E(Time(mailbox.AccessTokenExpiresAt))).Append("</td><td>").Append(E(Time(mailbox.LastRefreshAt))).Append("</td><td>")
                .Append("Granted: ").Append(E(mailbox.GrantedScopes.Count == 0 ? "none" : string.Join(", ", mailbox.GrantedScopes))).Append("<br>Required: ")
                .Append(E(string.Join(", ", mailbox.RequiredScopes)));
            if (mailbox.MissingScopes.Count > 0) page.Append("<br><strong>Missing: ").Append(E(string.Join(", ", mailbox.MissingScopes))).Append("</strong>");
            page.Append("</td><td class=\"actions\">");
            if (admin) Actions(page, view.CsrfToken, mailbox);
            else page.Append("Read only");
            page.Append("</td></tr>");
        }
        page.Append("</tbody></table></section>");
    }

    private static void Actions(StringBuilder page, string csrf, MailboxStatus mailbox)
    {
        var address = mailbox.Address;
        var hidden = Hidden("mailbox", address);
        if (mailbox.State != "Disabled")
        {
            Form(page, "probe", csrf, hidden + $"<label for=\"probe-{E(Id(address))}\">Protocol</label><select id=\"probe-{E(Id(address))}\" name=\"protocol\">"
                + string.Concat(MailboxProbe.Protocols.Select(p => $"<option value=\"{p}\">{p.ToUpperInvariant()}</option>"))
                + $"</select> <button type=\"submit\">Probe now<span class=\"visually-hidden\"> {E(address)}</span></button>", "Probe " + address);
            Form(page, "refresh", csrf, hidden + $"<button type=\"submit\">Refresh now<span class=\"visually-hidden\"> {E(address)}</span></button>");
            Form(page, "disable", csrf, hidden + $"<button type=\"submit\">Disable<span class=\"visually-hidden\"> {E(address)}</span></button>");
        }
        else
        {
            Form(page, "enable", csrf, hidden + $"<button type=\"submit\">Enable<span class=\"visually-hidden\"> {E(address)}</span></button>");
        }
        Form(page, "remove", csrf, hidden + $"<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required> I mean it</label>"
            + $"<button type=\"submit\">Remove<span class=\"visually-hidden\"> {E(address)}</span></button>", "Remove " + address);
    }

    private static void Connect(StringBuilder page, DashboardView view)
    {
        page.Append("<section aria-labelledby=\"connect-title\"><h2 id=\"connect-title\">Connect a mailbox</h2>");
        page.Append("<p>Creates a consent invitation: open it yourself to sign in as the mailbox's user, or send it to them.</p>");
        Form(page, "connect", view.CsrfToken, """
            <p><label for="connect-address">Mailbox address</label>
            <input id="connect-address" name="address" type="email" required maxlength="254" autocomplete="off"></p>
            <fieldset><legend>Protocols</legend>
            <label><input type="checkbox" name="protocols" value="imap" checked> IMAP</label>
            <label><input type="checkbox" name="protocols" value="pop3"> POP3</label>
            <label><input type="checkbox" name="protocols" value="smtp" checked> SMTP</label></fieldset>
            <fieldset><legend>Who signs in</legend>
            <label><input type="radio" name="kind" value="user" checked> The mailbox's own user</label>
            <label><input type="radio" name="kind" value="shared"> A delegate, for a shared mailbox</label>
            <p><label for="connect-delegate">Delegate address (shared mailbox only)</label>
            <input id="connect-delegate" name="delegate" type="email" maxlength="254" autocomplete="off"></p></fieldset>
            <p><button type="submit">Create the invitation</button></p>
            """, "Connect a mailbox");
        page.Append("</section>");
    }

    private static void Invitation(StringBuilder page, IssuedInvitation invitation)
    {
        page.Append("<section aria-labelledby=\"invitation-title\"><h2 id=\"invitation-title\">Invitation for ").Append(E(invitation.Mailbox)).Append("</h2>")
            .Append("<p>Valid until ").Append(E(Time(invitation.ExpiresAt))).Append(". Send this link to the person who signs in, or ")
            .Append("<a id=\"start-consent\" href=\"").Append(E(invitation.Url)).Append("\">start the consent for ").Append(E(invitation.Mailbox)).Append(" now</a>.</p>")
            .Append("<p><label for=\"invitation-url\">Invitation link</label> <input id=\"invitation-url\" readonly size=\"60\" value=\"").Append(E(invitation.Url)).Append("\"></p></section>");
    }

    private static void Probe(StringBuilder page, MailboxProbeReport probe)
    {
        page.Append("<section aria-labelledby=\"probe-title\" id=\"probe\"><h2 id=\"probe-title\">Probe of ").Append(E(probe.Address)).Append(" over ")
            .Append(E(probe.Protocol.ToUpperInvariant())).Append(" (").Append(E(probe.Server)).Append(")</h2><p class=\"probe-result\"><strong>")
            .Append(probe.Succeeded ? "Login succeeded." : "Login FAILED" + (probe.Diagnosis is null ? "." : ": " + E(probe.Diagnosis)))
            .Append("</strong></p><ol>");
        foreach (var step in probe.Steps)
        {
            page.Append("<li>").Append(step.Succeeded ? "ok: " : "FAILED: ").Append(E(step.Name));
            if (step.Error is not null) page.Append(" — ").Append(E(step.Error));
            if (step.ServerLines.Count > 0) page.Append("<br><code>").Append(E(string.Join(" ⏎ ", step.ServerLines))).Append("</code>");
            page.Append("</li>");
        }
        page.Append("</ol><details><summary>The whole dialogue (AUTH payloads redacted)</summary><pre>")
            .Append(E(string.Join("\n", probe.Transcript))).Append("</pre></details></section>");
    }

    private static void Events(StringBuilder page, DashboardView view)
    {
        page.Append("<section aria-labelledby=\"events-title\"><h2 id=\"events-title\">Recent events</h2>");
        if (view.Events.Count == 0)
        {
            page.Append("<p>No events yet.</p></section>");
            return;
        }
        page.Append("<table><caption>The newest first</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Event</th><th scope=\"col\">Mailbox</th><th scope=\"col\">Details</th></tr></thead><tbody>");
        foreach (var e in view.Events)
            page.Append("<tr><td>").Append(E(Time(e.At))).Append("</td><td>").Append(E(e.Type)).Append("</td><td>").Append(E(e.Mailbox ?? "—"))
                .Append("</td><td>").Append(E(StateWords.EventDetails(e))).Append("</td></tr>");
        page.Append("</tbody></table></section>");
    }

    private static void Queues(StringBuilder page, DashboardView view)
    {
        page.Append("<section aria-labelledby=\"queues-title\"><h2 id=\"queues-title\">Queues</h2><table><caption>Messages waiting (approximate)</caption><thead><tr>")
            .Append("<th scope=\"col\">Queue</th><th scope=\"col\">Messages</th></tr></thead><tbody>");
        foreach (var depth in view.Depths)
            page.Append("<tr><th scope=\"row\">").Append(E(depth.Queue)).Append("</th><td>").Append(depth.Messages).Append("</td></tr>");
        page.Append("</tbody></table><h3 id=\"poisoned-title\">Poisoned requests</h3>");
        if (view.Poisoned.Count == 0)
        {
            page.Append("<p>None.</p></section>");
            return;
        }
        page.Append("<table aria-labelledby=\"poisoned-title\"><thead><tr><th scope=\"col\">Request</th><th scope=\"col\">Mailbox</th><th scope=\"col\">Failed</th><th scope=\"col\">Reason</th><th scope=\"col\">Action</th></tr></thead><tbody>");
        foreach (var request in view.Poisoned)
        {
            page.Append("<tr><th scope=\"row\">").Append(E(request.RequestId ?? request.Id)).Append(" <small>(").Append(E(request.Kind ?? "?")).Append(")</small></th><td>")
                .Append(E(request.Mailbox ?? "—")).Append("</td><td>").Append(E(Time(request.PoisonedAt))).Append("</td><td>").Append(E(request.Reason)).Append("</td><td>");
            if (view.Caller.May(CallerOperations.Admin, request.Mailbox ?? "*"))
                Form(page, "requeue", view.CsrfToken, Hidden("id", request.Id) + $"<button type=\"submit\">Requeue<span class=\"visually-hidden\"> {E(request.RequestId ?? request.Id)}</span></button>");
            page.Append("</td></tr>");
        }
        page.Append("</tbody></table></section>");
    }

    private static string Id(string address) => new(address.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
}
