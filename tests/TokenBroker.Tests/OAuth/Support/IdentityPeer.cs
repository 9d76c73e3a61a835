using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using TokenBroker.Testing;

namespace TokenBroker.Tests.OAuth.Support;

/// <summary>
/// The local Entra-shaped identity server started by infra/local/peers/identity.sh: its addresses, a handler
/// that trusts only the test CA, and its /_control endpoints (all scoped to one client id per test).
/// </summary>
public sealed class IdentityPeer(string clientId)
{
    public static string Url => PeersEnvironment.Get("IDENTITY_URL");
    public static string Tenant => PeersEnvironment.Get("IDENTITY_TENANT");
    public static string TenantDomain => PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");

    public string ClientId { get; } = clientId;

    /// <summary>Validates the server certificate against the test CA alone (custom root trust, no system store change).</summary>
    public static SocketsHttpHandler CreateTrustingHandler(bool allowAutoRedirect = false)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(PeersEnvironment.Get("PEERS_CA_FILE"));
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = allowAutoRedirect,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
    }

    private static readonly HttpClient Control = new(CreateTrustingHandler()) { Timeout = TimeSpan.FromSeconds(15) };

    public Task SetTokenLifetimeAsync(int seconds) => PostAsync("token-lifetime", new { seconds, clientId = ClientId });

    /// <summary>The next matching /token call(s) of this client fail with the given error.</summary>
    public Task FailNextTokenCallAsync(string grantType, string error, int? errorCode = null, int status = 400, int count = 1) =>
        PostAsync("token-failures", new { status, count, error, errorCode, grantType, clientId = ClientId });

    public async Task<int> TokenRequestCountAsync(string grantType)
    {
        var counts = await Control.GetFromJsonAsync<Dictionary<string, int>>($"{Url}/_control/token-requests?clientId={Uri.EscapeDataString(ClientId)}");
        return counts!.GetValueOrDefault(grantType);
    }

    public Task ResetAsync() => PostAsync("reset", new { clientId = ClientId });

    private static async Task PostAsync(string endpoint, object body)
    {
        using var response = await Control.PostAsJsonAsync($"{Url}/_control/{endpoint}", body, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"identity control {endpoint} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
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
