using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace TokenBroker.OAuth;

/// <summary>The small pages a person sees after signing in: plain HTML, every value encoded.</summary>
public static class ConsentPage
{
    public static IResult Render(int statusCode, string title, params string[] paragraphs)
    {
        var encoder = HtmlEncoder.Default;
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<meta name=\"robots\" content=\"noindex\"><title>").Append(encoder.Encode(title)).Append(" — TokenBroker</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;line-height:1.5}")
            .Append("h1{font-size:1.4em}.ok{color:#0a6b2d}.problem{color:#a4262c}</style></head><body>\n")
            .Append("<h1 class=\"").Append(statusCode < 400 ? "ok" : "problem").Append("\">").Append(encoder.Encode(title)).Append("</h1>\n");
        foreach (var paragraph in paragraphs)
            html.Append("<p>").Append(encoder.Encode(paragraph)).Append("</p>\n");
        html.Append("</body></html>\n");
        return new PageResult(statusCode, html.ToString());
    }

    /// <summary>An HTML result that also tells every cache and referrer to keep nothing.</summary>
    private sealed class PageResult(int statusCode, string html) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => statusCode;
        public string ContentType => "text/html; charset=utf-8";
        public string Html => html;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-store";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
            return response.WriteAsync(html, Encoding.UTF8, httpContext.RequestAborted);
        }
    }
}
