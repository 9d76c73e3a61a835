using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace TokenBroker.Dashboard;

/// <summary>
/// The page around every dashboard view and the headers every dashboard answer carries: a strict Content-Security-Policy
/// (no script at all; the one style element allowed by a per-response nonce), no framing, no caching, no referrer.
/// </summary>
internal static class DashboardLayout
{
    private const string Style = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.45; color: #1b1b1b; background: #fafafa; }
        body { margin: 0; }
        header, main, footer { max-width: 96rem; margin: 0 auto; padding: 0 1rem; }
        header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; border-bottom: 1px solid #ccc; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
        :focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { border: 1px solid #ccc; padding: .4rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
        tbody th[scope=row] { min-width: 16rem; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        .badge { display: inline-block; padding: .1rem .5rem; border-radius: .8rem; font-weight: 600; border: 1px solid; white-space: nowrap; }
        .badge-Connected { background: #e6f4ea; color: #0d652d; }
        .badge-NeedsConsent { background: #fef7e0; color: #7a4f01; }
        .badge-PendingConsent { background: #e8f0fe; color: #174ea6; }
        .badge-BrokenCredential { background: #fce8e6; color: #a50e0e; }
        .badge-Disabled { background: #eee; color: #444; }
        .notice { border: 2px solid #0d652d; background: #e6f4ea; padding: .6rem; margin: 1rem 0; }
        .notice.error { border-color: #a50e0e; background: #fce8e6; }
        .actions form { display: inline-block; margin: 0 .3rem .3rem 0; }
        button, input, select { font: inherit; padding: .25rem .5rem; }
        fieldset { border: 1px solid #ccc; background: #fff; }
        label { margin-right: .8rem; }
        pre { background: #fff; border: 1px solid #ccc; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        """;

    public static IResult Page(HttpContext context, string title, string body, int statusCode = StatusCodes.Status200OK)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        SetHeaders(context, nonce);
        var page = new StringBuilder(8192)
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<link rel=\"icon\" href=\"data:,\">") // no favicon request: there is none to serve
            .Append("<title>").Append(Html.E(title)).Append(" — TokenBroker</title>")
            .Append("<style nonce=\"").Append(nonce).Append("\">").Append(Style).Append("</style></head><body>")
            .Append("<a class=\"skip\" href=\"#main\">Skip to the content</a>")
            .Append(body)
            .Append("</body></html>");
        return TypedResults.Content(page.ToString(), "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    public static void SetHeaders(HttpContext context, string? styleNonce = null)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; " + (styleNonce is null ? "" : $"style-src 'nonce-{styleNonce}'; ")
            + "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
    }
}
