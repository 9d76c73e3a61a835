using System.Globalization;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenBroker.Testing;

/// <summary>
/// The local identity server (infra/local/identity) as tests see it: where it is (from identity.env)
/// and its /_control/ endpoints. Tests that run in parallel should use their own client id and pass
/// it to failures, lifetimes, counters and resets so that they do not disturb each other.
/// </summary>
public sealed class IdentityServerControl : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http;

    public IdentityServerControl()
    {
        _http = new HttpClient(TestCertificates.CreateHttpClientHandler()) { Timeout = RequestTimeout };
    }

    /// <summary>https://localhost:&lt;port&gt;/&lt;tenant&gt;: MSAL's WithAuthority(Authority, false).WithInstanceDiscovery(false).</summary>
    public static string Authority => PeersEnvironment.Get("IDENTITY_AUTHORITY");
    public static string TenantId => PeersEnvironment.Get("IDENTITY_TENANT");
    public static string Issuer => PeersEnvironment.Get("IDENTITY_ISSUER");
    public static string BaseUrl => PeersEnvironment.Get("IDENTITY_URL");
    public static string OpenIdConfigurationUrl => PeersEnvironment.Get("IDENTITY_OPENID_CONFIGURATION");
    /// <summary>The user /authorize signs in when no login_hint is given.</summary>
    public static string DefaultUser => PeersEnvironment.Get("IDENTITY_DEFAULT_USER");

    private static string ControlUrl(string path) => $"{PeersEnvironment.Get("IDENTITY_CONTROL_URL")}/{path}";

    /// <summary>
    /// Signs an access token for <paramref name="user"/> without a /token call. Scopes may be bare
    /// ("IMAP.AccessAsUser.All") or prefixed ("https://outlook.office.com/SMTP.Send"); none means
    /// Exchange's IMAP, POP and SMTP scopes. A negative <paramref name="expiresIn"/> gives an expired
    /// token; <paramref name="wrongKey"/> signs with an untrusted key under the trusted kid.
    /// </summary>
    public async Task<string> MintAccessTokenAsync(
        string user,
        IEnumerable<string>? scopes = null,
        TimeSpan? expiresIn = null,
        bool wrongKey = false,
        IReadOnlyDictionary<string, object?>? extraClaims = null,
        string? audience = null,
        string? clientId = null,
        CancellationToken cancellationToken = default)
    {
        var request = new JsonObject
        {
            ["user"] = user,
            ["wrongKey"] = wrongKey,
        };
        if (scopes is not null)
            request["scopes"] = new JsonArray(scopes.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        if (expiresIn is { } lifetime)
            request["expiresInSeconds"] = (long)Math.Floor(lifetime.TotalSeconds);
        if (audience is not null)
            request["aud"] = audience;
        if (clientId is not null)
            request["clientId"] = clientId;
        if (extraClaims is not null)
            request["claims"] = JsonSerializer.SerializeToNode(extraClaims);
        var response = await PostAsync("tokens", request, cancellationToken);
        return response["access_token"]?.GetValue<string>()
            ?? throw new InvalidOperationException("The identity server minted no access_token.");
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> /token calls (only those of <paramref name="grantType"/>
    /// and/or <paramref name="clientId"/> when given) fail with <paramref name="status"/> and an Entra
    /// error body. Defaults: 400 invalid_grant AADSTS700082; 401 invalid_client; 429/5xx temporarily_unavailable.
    /// </summary>
    public async Task FailNextTokenRequestAsync(
        int status = 400,
        string? error = null,
        int? errorCode = null,
        string? errorDescription = null,
        string? grantType = null,
        string? clientId = null,
        int count = 1,
        TimeSpan? retryAfter = null,
        string? suberror = null,
        CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["status"] = status, ["count"] = count };
        if (error is not null) request["error"] = error;
        if (errorCode is not null) request["errorCode"] = errorCode;
        if (errorDescription is not null) request["errorDescription"] = errorDescription;
        if (grantType is not null) request["grantType"] = grantType;
        if (clientId is not null) request["clientId"] = clientId;
        if (retryAfter is { } delay) request["retryAfterSeconds"] = (long)delay.TotalSeconds;
        if (suberror is not null) request["suberror"] = suberror;
        await PostAsync("token-failures", request, cancellationToken);
    }

    /// <summary>Sets expires_in of tokens issued by /token from now on (for one client, or all).</summary>
    public async Task SetTokenLifetimeAsync(TimeSpan lifetime, string? clientId = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["seconds"] = (long)lifetime.TotalSeconds };
        if (clientId is not null) request["clientId"] = clientId;
        await PostAsync("token-lifetime", request, cancellationToken);
    }

    /// <summary>/token calls so far per grant_type (e.g. "refresh_token" → 2), for one client or all.</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetTokenRequestCountsAsync(
        string? clientId = null, CancellationToken cancellationToken = default)
    {
        var url = ControlUrl("token-requests") + (clientId is null ? "" : "?clientId=" + Uri.EscapeDataString(clientId));
        using var response = await _http.GetAsync(url, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var counts = await response.Content.ReadFromJsonAsync<Dictionary<string, int>>(cancellationToken);
        return counts ?? new Dictionary<string, int>();
    }

    /// <summary>Invalidates the refresh tokens issued so far (of one user, or all).</summary>
    public async Task RevokeRefreshTokensAsync(string? user = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject();
        if (user is not null) request["user"] = user;
        await PostAsync("revoke-refresh-tokens", request, cancellationToken);
    }

    /// <summary>
    /// A refresh token for <paramref name="user"/> as an earlier sign-in (another tool's) would have left it, without a
    /// /token call: what an import redeems. <paramref name="scopes"/> space-separated; default Exchange's three delegated scopes.
    /// <paramref name="publicClient"/>: issued to a public client (no client credential), so redeeming it with one is refused (AADSTS700025).
    /// </summary>
    public async Task<string> MintRefreshTokenAsync(string user, string? scopes = null, string? clientId = null, bool publicClient = false, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["user"] = user, ["publicClient"] = publicClient };
        if (scopes is not null) request["scopes"] = scopes;
        if (clientId is not null) request["clientId"] = clientId;
        var response = await PostAsync("refresh-tokens", request, cancellationToken);
        return response["refresh_token"]?.GetValue<string>() ?? throw new InvalidOperationException("The identity server minted no refresh_token.");
    }

    /// <summary>From now on every device code of <paramref name="clientId"/> is approved at once as <paramref name="user"/> (null: stop).</summary>
    public async Task AutoApproveDeviceCodesAsync(string clientId, string? user, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["clientId"] = clientId };
        if (user is not null) request["user"] = user;
        await PostAsync("device-codes/auto-approve", request, cancellationToken);
    }

    /// <summary>Signs in (or declines) the newest pending device code of <paramref name="clientId"/> as someone who entered it would.</summary>
    public async Task<bool> ApproveDeviceCodeAsync(string clientId, string user, bool decline = false, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["clientId"] = clientId, ["user"] = user, ["decline"] = decline };
        using var response = await _http.PostAsJsonAsync(ControlUrl("device-codes/approve"), request, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    /// <summary>Clears queued failures, counters and lifetimes (of one client, or all).</summary>
    public async Task ResetAsync(string? clientId = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject();
        if (clientId is not null) request["clientId"] = clientId;
        await PostAsync("reset", request, cancellationToken);
    }

    private async Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(ControlUrl(path), body, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken)
            ?? throw new InvalidOperationException($"The identity server answered /_control/{path} with no JSON object.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new HttpRequestException(
            string.Create(CultureInfo.InvariantCulture,
                $"Identity server control call {response.RequestMessage?.RequestUri?.AbsolutePath} failed with {(int)response.StatusCode}: {body}"),
            null, response.StatusCode);
    }

    public void Dispose() => _http.Dispose();
}
