using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TokenBroker.Hosting;

/// <summary>
/// The rule for every JSON API: the body must be declared application/json. A browser cannot send that
/// cross-site without a CORS preflight (which the broker never grants), so an HTML form or a "simple" fetch
/// from another site's page cannot drive the API, whatever else it carries.
/// </summary>
public static class JsonRequests
{
    /// <summary>Null when the request declares JSON; otherwise the 415 to answer.</summary>
    public static IResult? RequireJson(HttpRequest request)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
            return null;
        return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body must be JSON",
            detail: $"Send the body with 'Content-Type: application/json' (this request said '{Shorten(request.ContentType)}').");
    }

    /// <summary>The body as <typeparamref name="T"/>; null when it is empty, longer than <paramref name="maxBytes"/> or not that JSON.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken,
        System.Text.Json.JsonSerializerOptions? options = null) where T : class
    {
        if (request.ContentLength > maxBytes) return null;
        var body = await request.Body.ReadCappedAsync(maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null || body.Length == 0) return null;
        try { return System.Text.Json.JsonSerializer.Deserialize<T>(body, options); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    public static IResult BadRequest(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static string Shorten(string? contentType) =>
        string.IsNullOrEmpty(contentType) ? "nothing" : contentType.Length <= 80 ? contentType : contentType[..80] + "…";
}
