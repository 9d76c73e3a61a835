using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.AzureStorage;

/// <summary>
/// Shared Key authorization for the Blob/Queue/File services, version 2015-02-21 and later
/// ("Authorize with Shared Key", Microsoft Learn): an HMAC-SHA256 of the canonical request with the account key.
/// </summary>
internal sealed class SharedKeyAuthenticator(string accountName, byte[] accountKey, TimeProvider time) : StorageRequestAuthenticator
{
    public override ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove("x-ms-date");
        request.Headers.TryAddWithoutValidation("x-ms-date", time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(StringToSign(request, accountName))));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{accountName}:{signature}");
        return ValueTask.CompletedTask;
    }

    internal static string StringToSign(HttpRequestMessage request, string accountName)
    {
        var content = request.Content?.Headers;
        var length = content?.ContentLength is > 0 ? content.ContentLength.Value.ToString(CultureInfo.InvariantCulture) : "";
        var builder = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Joined(content?.ContentEncoding)).Append('\n')
            .Append(Joined(content?.ContentLanguage)).Append('\n')
            .Append(length).Append('\n')
            .Append(content?.ContentMD5 is { } md5 ? Convert.ToBase64String(md5) : "").Append('\n')
            .Append(content?.ContentType?.ToString() ?? "").Append('\n')
            .Append('\n') // Date: x-ms-date is sent instead
            .Append(Header(request, "If-Modified-Since")).Append('\n')
            .Append(Header(request, "If-Match")).Append('\n')
            .Append(Header(request, "If-None-Match")).Append('\n')
            .Append(Header(request, "If-Unmodified-Since")).Append('\n')
            .Append(Header(request, "Range")).Append('\n');
        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request.RequestUri!, accountName);
        return builder.ToString();
    }

    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = request.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(",", h.Value.Select(v => v.Trim()))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        foreach (var (name, value) in headers) builder.Append(name).Append(':').Append(value).Append('\n');
    }

    private static void AppendCanonicalizedResource(StringBuilder builder, Uri uri, string accountName)
    {
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath);
        var parameters = uri.Query.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Name: Uri.UnescapeDataString(kv[0]).ToLowerInvariant(), Value: kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""))
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in parameters)
            builder.Append('\n').Append(group.Key).Append(':').Append(string.Join(",", group.Select(p => p.Value).Order(StringComparer.Ordinal)));
    }

    private static string Joined(IEnumerable<string>? values) => values is null ? "" : string.Join(",", values);

    private static string Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
