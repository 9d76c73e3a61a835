using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace TokenBroker.Dashboard;

/// <summary>Small HTML helpers: every value that reaches the page goes through <see cref="E(string?)"/> (addresses and reasons come from people and servers).</summary>
internal static class Html
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>A hidden CSRF field plus the visible controls of a POST form to <paramref name="action"/>.</summary>
    public static void Form(StringBuilder page, string action, string csrf, string inner, string? label = null) =>
        page.Append("<form method=\"post\" action=\"").Append(E(DashboardPaths.Base + "/" + action)).Append('"')
            .Append(label is null ? "" : " aria-label=\"" + E(label) + "\"").Append('>')
            .Append("<input type=\"hidden\" name=\"").Append(DashboardPaths.CsrfField).Append("\" value=\"").Append(E(csrf)).Append("\">")
            .Append(inner).Append("</form>");

    public static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";
}

internal static class DashboardPaths
{
    public const string Base = "/api/dashboard";
    public const string CsrfField = "csrf";
}
