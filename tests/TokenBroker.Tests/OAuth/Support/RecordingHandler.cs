using System.Collections.Concurrent;
using System.Text.Json;

namespace TokenBroker.Tests.OAuth.Support;

/// <summary>
/// Sits between MSAL and the identity server. Records every secret value that crossed the wire (codes,
/// verifiers, client secrets, tokens) so the log-scan test knows what to search for, and can rewrite the
/// scope of the next code redemption to make the real server issue a token with fewer scopes.
/// </summary>
public sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly string[] SecretRequestFields = ["code", "code_verifier", "client_secret", "refresh_token", "client_assertion"];
    private static readonly string[] SecretResponseFields = ["access_token", "refresh_token", "id_token"];

    public ConcurrentBag<string> Secrets { get; } = [];

    /// <summary>The names of every form field MSAL posted (to see which client credential it used).</summary>
    public ConcurrentBag<string> PostedFields { get; } = [];

    /// <summary>Applied to the "scope" of authorization_code redemptions while set.</summary>
    public Func<string, string>? RewriteRedemptionScope { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null && request.Method == HttpMethod.Post)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            var form = System.Web.HttpUtility.ParseQueryString(body);
            foreach (var key in form.AllKeys) if (key is not null) PostedFields.Add(key);
            foreach (var field in SecretRequestFields)
                if (form[field] is { Length: > 0 } value) Secrets.Add(value);
            if (form["grant_type"] == "authorization_code" && RewriteRedemptionScope is { } rewrite && form["scope"] is { } scope)
            {
                form["scope"] = rewrite(scope);
                var pairs = form.AllKeys.Select(k => new KeyValuePair<string, string>(k!, form[k]!));
                request.Content = new FormUrlEncodedContent(pairs);
            }
            else
            {
                var mediaType = request.Content.Headers.ContentType;
                request.Content = new StringContent(body, System.Text.Encoding.UTF8);
                request.Content.Headers.ContentType = mediaType;
            }
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                    foreach (var field in SecretResponseFields)
                        if (json.RootElement.TryGetProperty(field, out var value) && value.GetString() is { Length: > 0 } secret) Secrets.Add(secret);
            }
            catch (JsonException)
            {
            }
            var headers = response.Content.Headers.ToArray();
            response.Content = new StringContent(text);
            response.Content.Headers.Clear();
            foreach (var header in headers) response.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return response;
    }
}
