using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Peers;

/// <summary>
/// MSAL.NET works against the local identity server exactly as against login.microsoftonline.com/&lt;tenant&gt;:
/// WithAuthority(authority, false).WithInstanceDiscovery(false), the test CA trusted through the HTTP client factory.
/// </summary>
public sealed class MsalAgainstIdentityServerTests : IDisposable
{
    private static readonly string[] ExchangeScopes =
        ["https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send"];

    private readonly IdentityServerControl _identity = new();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly string _user = $"msal-{Guid.NewGuid():N}@tokenbroker.test";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Authorization_code_with_pkce_signs_in_the_login_hint_user_with_an_exchange_token()
    {
        var app = CreateApplication();

        var result = await SignInAsync(app);

        Assert.Equal(_user, result.Account.Username);
        Assert.Equal(IdentityServerControl.TenantId, result.Account.HomeAccountId.TenantId);
        var claims = PayloadOf(result.AccessToken);
        Assert.Equal($"{(string?)claims["oid"]}.{IdentityServerControl.TenantId}", result.Account.HomeAccountId.Identifier);
        Assert.Equal("https://outlook.office.com", (string?)claims["aud"]);
        Assert.Equal("IMAP.AccessAsUser.All SMTP.Send", (string?)claims["scp"]);
        Assert.Equal(_user, (string?)claims["email"]);
        Assert.Equal(IdentityServerControl.Issuer, (string?)claims["iss"]);
    }

    [Fact]
    public async Task Forced_refresh_calls_the_token_endpoint_and_returns_a_new_access_token()
    {
        var app = CreateApplication();
        var first = await SignInAsync(app);

        var refreshed = await app.AcquireTokenSilent(ExchangeScopes, first.Account).WithForceRefresh(true).ExecuteAsync(Cancellation);

        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        var counts = await _identity.GetTokenRequestCountsAsync(_clientId, Cancellation);
        Assert.Equal(1, counts["refresh_token"]);
    }

    [Fact]
    public async Task An_invalid_grant_on_refresh_surfaces_as_MsalUiRequiredException()
    {
        var app = CreateApplication();
        var first = await SignInAsync(app);
        await _identity.FailNextTokenRequestAsync(400, grantType: "refresh_token", clientId: _clientId, cancellationToken: Cancellation);

        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(
            () => app.AcquireTokenSilent(ExchangeScopes, first.Account).WithForceRefresh(true).ExecuteAsync(Cancellation));

        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS700082", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_credentials_yield_an_app_token_with_roles_and_no_user()
    {
        var app = CreateApplication();

        var result = await app.AcquireTokenForClient(["https://outlook.office.com/.default"]).ExecuteAsync(Cancellation);

        var claims = PayloadOf(result.AccessToken);
        Assert.Null(claims["email"]);
        Assert.Null(claims["scp"]);
        Assert.Contains("IMAP.AccessAsApp", claims["roles"]!.AsArray().Select(r => (string?)r));
    }

    private IConfidentialClientApplication CreateApplication() =>
        ConfidentialClientApplicationBuilder.Create(_clientId)
            .WithClientSecret("the local identity server does not check secrets")
            .WithAuthority(IdentityServerControl.Authority, validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithRedirectUri("http://localhost/signin-callback")
            .WithHttpClientFactory(new TestCaHttpClientFactory())
            .Build();

    /// <summary>The browser's part: GET /authorize, take the code from the 302, redeem it with the PKCE verifier.</summary>
    private async Task<AuthenticationResult> SignInAsync(IConfidentialClientApplication app)
    {
        var authorizeUrl = await app.GetAuthorizationRequestUrl(ExchangeScopes)
            .WithLoginHint(_user)
            .WithPkce(out var verifier)
            .ExecuteAsync(Cancellation);
        var handler = TestCertificates.CreateHttpClientHandler();
        handler.AllowAutoRedirect = false;
        using var browser = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        using var response = await browser.GetAsync(authorizeUrl, Cancellation);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var code = QueryValue(response.Headers.Location!, "code");
        return await app.AcquireTokenByAuthorizationCode(ExchangeScopes, code).WithPkceCodeVerifier(verifier).ExecuteAsync(Cancellation);
    }

    private static string QueryValue(Uri uri, string name) =>
        uri.Query.TrimStart('?').Split('&')
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair[0] == name)
            .Select(pair => Uri.UnescapeDataString(pair[1]))
            .Single();

    private static JsonObject PayloadOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!.AsObject();
    }

    public void Dispose()
    {
        _identity.Dispose();
    }
}
