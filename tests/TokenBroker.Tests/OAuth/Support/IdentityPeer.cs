using System.Net.Security;
using TokenBroker.Testing;

namespace TokenBroker.Tests.OAuth.Support;

/// <summary>
/// The local Entra-shaped identity server (infra/local/peers/identity.sh) as the OAuth tests use it: the shared
/// peer helpers (TestCertificates, IdentityServerControl) scoped to one client id per test, so counters,
/// injected failures and token lifetimes of one test never touch another's.
/// </summary>
public sealed class IdentityPeer(string clientId)
{
    private static readonly IdentityServerControl Control = new();

    public static string Url => IdentityServerControl.BaseUrl;
    public static string Tenant => IdentityServerControl.TenantId;
    public static string TenantDomain => PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");

    public string ClientId { get; } = clientId;

    /// <summary>Validates the server certificate against the test CA alone (custom root trust, no system store change).</summary>
    public static SocketsHttpHandler CreateTrustingHandler() => new()
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = TestCertificates.CreateChainPolicy() },
    };

    public Task SetTokenLifetimeAsync(int seconds) => Control.SetTokenLifetimeAsync(TimeSpan.FromSeconds(seconds), ClientId);

    /// <summary>The next matching /token call(s) of this client fail with the given error.</summary>
    public Task FailNextTokenCallAsync(string grantType, string error, int? errorCode = null, int status = 400, int count = 1) =>
        Control.FailNextTokenRequestAsync(status, error, errorCode, grantType: grantType, clientId: ClientId, count: count);

    public Task<string> MintRefreshTokenAsync(string user, string? scopes = null, bool publicClient = false) => Control.MintRefreshTokenAsync(user, scopes, ClientId, publicClient);

    public Task AutoApproveDeviceCodesAsync(string? user) => Control.AutoApproveDeviceCodesAsync(ClientId, user);

    public Task<bool> ApproveDeviceCodeAsync(string user, bool decline = false) => Control.ApproveDeviceCodeAsync(ClientId, user, decline);

    public async Task<int> TokenRequestCountAsync(string grantType) =>
        (await Control.GetTokenRequestCountsAsync(ClientId)).GetValueOrDefault(grantType);
}

/// <summary>Ids the identity server derives from a user name (mirrors infra/local/identity/lib/entra-claims.mjs).</summary>
public static class IdentityIds
{
    public static string ObjectIdOf(string user)
    {
        var h = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("user:" + user.ToLowerInvariant())));
        return $"{h[..8]}-{h[8..12]}-4{h[13..16]}-a{h[17..20]}-{h[20..32]}";
    }

    /// <summary>MSAL's HomeAccountId ("oid.tid"), which is also the token cache key of the user.</summary>
    public static string HomeAccountIdOf(string user) => ObjectIdOf(user) + "." + IdentityPeer.Tenant;
}
