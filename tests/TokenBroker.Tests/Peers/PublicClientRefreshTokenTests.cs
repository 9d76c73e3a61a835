using System.Net;
using System.Text.Json.Nodes;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Peers;

/// <summary>
/// The local identity server binds a refresh token to the kind of client it was issued to, as Entra ID does: one issued
/// to a request without a client credential (a public client) is refused when presented with a client secret
/// (400 invalid_client, AADSTS700025); a device code redeemed with the secret gives a confidential client's token.
/// </summary>
public sealed class PublicClientRefreshTokenTests : IDisposable
{
    private const string Scopes = "https://outlook.office.com/IMAP.AccessAsUser.All offline_access openid profile";
    private const string Secret = "the local identity server does not check secrets";

    private readonly IdentityServerControl _identity = new();
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly string _user = $"public-{Guid.NewGuid():N}@tokenbroker.test";
    private readonly HttpClient _http = new(TestCertificates.CreateHttpClientHandler()) { Timeout = TimeSpan.FromSeconds(15) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_code_refresh_token_issued_without_a_secret_is_refused_with_one_as_AADSTS700025()
    {
        var refreshToken = await DeviceCodeRefreshTokenAsync(secret: null);

        var (status, body) = await RefreshAsync(refreshToken, Secret);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_client", (string?)body["error"]);
        Assert.Contains("AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", (string?)body["error_description"]);
        Assert.Contains(700025, body["error_codes"]!.AsArray().Select(c => (int)c!));
    }

    [Fact]
    public async Task A_device_code_refresh_token_issued_without_a_secret_is_redeemed_without_one()
    {
        var refreshToken = await DeviceCodeRefreshTokenAsync(secret: null);

        var (status, body) = await RefreshAsync(refreshToken, secret: null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty((string?)body["access_token"]));
    }

    [Fact]
    public async Task A_device_code_redeemed_with_the_secret_gives_a_refresh_token_redeemed_with_the_secret()
    {
        var refreshToken = await DeviceCodeRefreshTokenAsync(Secret);

        var (status, body) = await RefreshAsync(refreshToken, Secret);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty((string?)body["refresh_token"]));
    }

    [Fact]
    public async Task A_refresh_token_minted_as_a_public_clients_is_refused_with_a_secret_and_its_successor_too()
    {
        var minted = await _identity.MintRefreshTokenAsync(_user, clientId: _clientId, publicClient: true, cancellationToken: Ct);
        var (publicStatus, publicBody) = await RefreshAsync(minted, secret: null);
        Assert.Equal(HttpStatusCode.OK, publicStatus);

        var (status, body) = await RefreshAsync((string)publicBody["refresh_token"]!, Secret);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_client", (string?)body["error"]);
    }

    private async Task<string> DeviceCodeRefreshTokenAsync(string? secret)
    {
        await _identity.AutoApproveDeviceCodesAsync(_clientId, _user, Ct);
        var (startStatus, started) = await PostAsync("devicecode", new() { ["client_id"] = _clientId, ["scope"] = Scopes });
        Assert.Equal(HttpStatusCode.OK, startStatus);
        var request = new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["client_id"] = _clientId,
            ["device_code"] = (string)started["device_code"]!,
        };
        if (secret is not null) request["client_secret"] = secret;
        var (status, body) = await PostAsync("token", request);
        Assert.Equal(HttpStatusCode.OK, status);
        return (string)body["refresh_token"]!;
    }

    private Task<(HttpStatusCode Status, JsonObject Body)> RefreshAsync(string refreshToken, string? secret)
    {
        var request = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = _clientId,
            ["refresh_token"] = refreshToken,
            ["scope"] = Scopes,
        };
        if (secret is not null) request["client_secret"] = secret;
        return PostAsync("token", request);
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string endpoint, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await _http.PostAsync($"{IdentityServerControl.Authority}/oauth2/v2.0/{endpoint}", content, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    public void Dispose()
    {
        _http.Dispose();
        _identity.Dispose();
    }
}
