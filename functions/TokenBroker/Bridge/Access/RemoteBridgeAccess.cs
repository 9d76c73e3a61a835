using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenBroker.OAuth;

namespace TokenBroker.Bridge.Access;

/// <summary>
/// The bridge next to the apps, the broker elsewhere (Azure, another machine): each login is one POST to the broker's
/// token endpoint with the bridge's own credential (a client with "token" on the mailboxes) and the app's secret, which
/// the broker checks for "bridge" on the mailbox. An accepted login is remembered for <see cref="RememberFor"/> (never
/// past 5 minutes before the token expires), so a busy app does not cost a round trip per connection, and a removed
/// app stops working within that time.
/// </summary>
public sealed class RemoteBridgeAccess(HttpClient broker, TimeProvider time) : IBridgeAccess
{
    public static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(5);
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, (BridgeLoginResult Result, DateTimeOffset Until)> _remembered = new(StringComparer.Ordinal);

    /// <summary>The HTTP client for <paramref name="brokerUrl"/> presenting the bridge's credential.</summary>
    public static HttpClient CreateClient(Uri brokerUrl, string credential, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler);
        client.BaseAddress = brokerUrl;
        client.Timeout = timeout;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        return client;
    }

    public async Task<BridgeLoginResult> LoginAsync(string mailbox, string secret, string protocol, CancellationToken cancellationToken)
    {
        var key = Key(mailbox, secret);
        var now = time.GetUtcNow();
        if (_remembered.TryGetValue(key, out var known) && now < known.Until) return known.Result;

        var result = await AskAsync(mailbox, secret, protocol, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == BridgeLoginOutcome.Accepted)
        {
            if (_remembered.Count >= MaxRemembered) _remembered.Clear();
            var until = Min(now + RememberFor, result.Token!.ExpiresOn - ExpiryMargin);
            if (until > now) _remembered[key] = (result, until);
        }
        return result;
    }

    private async Task<BridgeLoginResult> AskAsync(string mailbox, string secret, string protocol, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await broker.PostAsJsonAsync($"api/mailboxes/{Uri.EscapeDataString(mailbox)}/token", new { bridgeSecret = secret, protocol }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new BridgeLoginResult(BridgeLoginOutcome.Unavailable, null, mailbox, null, $"the broker at {broker.BaseAddress} did not answer ({e.Message})");
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = TryParse(body);
            var root = document?.RootElement;
            string? Text(string name) => root is { ValueKind: JsonValueKind.Object } r && r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

            if (response.IsSuccessStatusCode && Text("access_token") is { } accessToken && root!.Value.TryGetProperty("expires_on", out var expires))
                return new BridgeLoginResult(BridgeLoginOutcome.Accepted, Text("app") ?? "(remote)", mailbox,
                    new MailboxAccessToken(accessToken, DateTimeOffset.FromUnixTimeSeconds(expires.GetInt64()), Text("user") ?? mailbox), null);
            // A refusal names the app only when the broker checked its secret ("app"): anything else is counted for an
            // unknown app on no mailbox, so a stray login cannot put a mailbox outside this bridge's scope in its report.
            return response.StatusCode switch
            {
                HttpStatusCode.Forbidden when Text("bridgeLogin") == "refused" => BridgeLoginResult.Wrong(mailbox),
                HttpStatusCode.Conflict when Text("state") == nameof(Store.MailboxState.NeedsConsent) =>
                    new BridgeLoginResult(BridgeLoginOutcome.NeedsConsent, Text("app"), mailbox, null, Text("detail")),
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout =>
                    new BridgeLoginResult(BridgeLoginOutcome.Unavailable, Text("app"), mailbox, null, Text("detail") ?? $"the broker answered {(int)response.StatusCode}"),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                    new BridgeLoginResult(BridgeLoginOutcome.Unavailable, Text("app"), mailbox, null,
                        $"the broker refused the bridge's own credential (Bridge:CredentialFile): {Text("detail") ?? response.ReasonPhrase}"),
                _ => new BridgeLoginResult(BridgeLoginOutcome.NoToken, Text("app"), mailbox, null, Text("detail") ?? $"the broker answered {(int)response.StatusCode}"),
            };
        }
    }

    private static JsonDocument? TryParse(string body)
    {
        try
        {
            return body.Length is > 0 and < 64 * 1024 ? JsonDocument.Parse(body) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Only a digest of the secret is kept as the key.
    private static string Key(string mailbox, string secret) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(mailbox + "\n" + secret)));

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
