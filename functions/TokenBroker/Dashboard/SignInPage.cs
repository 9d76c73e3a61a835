using System.Text;
using static TokenBroker.Dashboard.Html;

namespace TokenBroker.Dashboard;

/// <summary>The sign-in form: a client secret whose operations include "admin", or the master key (Broker:AdminKey).</summary>
internal static class SignInPage
{
    public static string Render(string signInToken, string? problem)
    {
        var page = new StringBuilder(2048);
        page.Append("<header><h1>TokenBroker</h1></header><main id=\"main\" tabindex=\"-1\"><h2>Sign in</h2>");
        if (problem is not null) page.Append("<div class=\"notice error\" role=\"alert\" id=\"notice\">").Append(E(problem)).Append("</div>");
        page.Append("<p>Paste a client secret whose operations include <code>admin</code> (<code>tokenbroker clients add NAME --mailboxes … --can admin,status</code>) ")
            .Append("or the broker's master key. The dashboard shows only the mailboxes that credential covers. The secret is checked and forgotten: ")
            .Append("the session cookie holds no secret.</p>")
            .Append("<form method=\"post\" action=\"").Append(DashboardPaths.Base).Append("/signin\">")
            .Append(Hidden(DashboardPaths.CsrfField, signInToken))
            .Append("<p><label for=\"credential\">Client secret or master key</label><br>")
            .Append("<input id=\"credential\" name=\"credential\" type=\"password\" required maxlength=\"4096\" size=\"60\" autocomplete=\"off\" autofocus></p>")
            .Append("<p><button type=\"submit\">Sign in</button></p></form></main>");
        return page.ToString();
    }
}
