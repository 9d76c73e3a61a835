using System.Net;
using System.Text.Json;
using TokenBroker.Callers;
using TokenBroker.Mail.Tokens;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Callers;

/// <summary>
/// A calling app on Azure presents an Entra ID access token for the broker's audience (its managed identity's),
/// mapped to a client by object id. Tried against the identity server over HTTPS with its published signing keys.
/// </summary>
public sealed class EntraCallerTests
{
    private const string Audience = "https://tokenbroker.test";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<OAuthTestHost> StartAsync() =>
        OAuthTestHost.StartAsync(settings: new Dictionary<string, string?> { ["Callers:EntraAudience"] = Audience });

    /// <summary>What a managed identity does: client credentials for "{audience}/.default".</summary>
    private static async Task<string> AppTokenAsync(string scope = Audience + "/.default")
    {
        using var http = new HttpClient(IdentityPeer.CreateTrustingHandler());
        using var response = await http.PostAsync($"{IdentityPeer.Url}/{IdentityPeer.Tenant}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Guid.NewGuid().ToString(),
            ["client_secret"] = "calling-app-secret",
            ["scope"] = scope,
        }), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    private static async Task<HttpStatusCode> StatusCallAsync(OAuthTestHost host, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/mailboxes/{Uri.EscapeDataString("nobody@" + IdentityPeer.TenantDomain)}/token");
        request.Headers.Authorization = new("Bearer", bearer);
        using var response = await host.Browser.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static async Task RegisterAsync(OAuthTestHost host, string token, string can = "token")
    {
        var objectId = AccessTokenClaims.Parse(token).ObjectId!;
        await host.Get<IClientRegistry>().AddAsync(new BrokerClient("abcdefghijkm", "managed-identity", "", MailboxScope.Everything,
            CallerOperationNames.TryParse(can, out var operations, out _) ? operations : CallerOperations.None, DateTimeOffset.UtcNow) { EntraObjectId = objectId }, Ct);
    }

    [Fact]
    public async Task A_token_of_a_registered_managed_identity_is_a_credential()
    {
        await using var host = await StartAsync();
        var token = await AppTokenAsync();
        await RegisterAsync(host, token);

        // 404: authenticated and allowed; the mailbox just does not exist.
        Assert.Equal(HttpStatusCode.NotFound, await StatusCallAsync(host, token));
    }

    [Fact]
    public async Task A_valid_token_of_an_unregistered_identity_is_refused()
    {
        await using var host = await StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusCallAsync(host, await AppTokenAsync()));
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        await using var host = await StartAsync();
        var exchangeToken = await AppTokenAsync("https://outlook.office.com/.default");
        await RegisterAsync(host, exchangeToken);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusCallAsync(host, exchangeToken));
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_is_refused()
    {
        await using var host = await StartAsync();
        var token = await AppTokenAsync();
        await RegisterAsync(host, token);
        var parts = token.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!;
        claims["exp"] = JsonSerializer.SerializeToElement(DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        var altered = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusCallAsync(host, altered));
    }

    [Fact]
    public async Task Without_an_audience_setting_entra_tokens_are_not_credentials()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var token = await AppTokenAsync();
        await RegisterAsync(host, token);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusCallAsync(host, token));
    }
}
