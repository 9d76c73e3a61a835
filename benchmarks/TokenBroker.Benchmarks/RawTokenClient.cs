using System.Diagnostics;
using System.Text.Json;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The identity server's own pace: refresh_token grants posted by one HttpClient at a fixed concurrency, with the
/// form MSAL posts (client secret, the mailbox's scopes plus offline_access openid profile, client_info). Its own
/// client id, so that its calls do not count as the broker's. The refresh token comes from one password grant.
/// </summary>
internal sealed class RawTokenClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly int _concurrency;
    private readonly string _clientId = "raw-" + Guid.NewGuid().ToString("N");
    private string _refreshToken = "";

    private RawTokenClient(int concurrency)
    {
        _concurrency = concurrency;
        var handler = BenchmarkConsent.TrustingHandler();
        handler.MaxConnectionsPerServer = concurrency;
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static Uri TokenEndpoint => new(IdentityServerControl.Authority.TrimEnd('/') + "/oauth2/v2.0/token");

    private static string Scopes => string.Join(' ', MailScopes.DelegatedScopes(MailProtocols.Imap | MailProtocols.Smtp).Append("offline_access").Append("openid").Append("profile"));

    public static async Task<RawTokenClient> CreateAsync(int concurrency, CancellationToken cancellationToken)
    {
        var client = new RawTokenClient(concurrency);
        using var response = await client.PostAsync(new()
        {
            ["grant_type"] = "password",
            ["username"] = IdentityServerControl.DefaultUser,
            ["password"] = "unused",
        }, cancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        client._refreshToken = json.RootElement.GetProperty("refresh_token").GetString()
            ?? throw new InvalidOperationException("The identity server's password grant returned no refresh token.");
        return client;
    }

    /// <returns>Tokens per second.</returns>
    public async Task<double> MeasureAsync(int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken }, async (_, ct) =>
        {
            using var response = await PostAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = _refreshToken }, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    private async Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        form["client_id"] = _clientId;
        form["client_secret"] = "raw-benchmark";
        form["scope"] = Scopes;
        form["client_info"] = "1";
        var response = await _http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The identity server answered {(int)response.StatusCode} to the raw client's {form["grant_type"]} grant.");
        return response;
    }

    public void Dispose() => _http.Dispose();
}
