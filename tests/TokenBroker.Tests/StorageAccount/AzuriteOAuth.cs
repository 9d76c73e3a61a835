using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using TokenBroker.Testing;

namespace TokenBroker.Tests.StorageAccount;

/// <summary>
/// The https Azurite instances started with `--oauth basic` (infra/local/peers/azurite.sh): they check a bearer token's
/// audience, issuer and lifetime, not its signature, so a token made here stands in for Entra's. The SDK sends bearer
/// tokens over https only, so the tests trust the peer's throw-away CA through their own HTTP client.
/// </summary>
internal static class AzuriteOAuth
{
    public static Uri QueueEndpoint => new(PeersEnvironment.Get("AZURITE_OAUTH_QUEUE_ENDPOINT"));

    public static Uri BlobEndpoint => new(PeersEnvironment.Get("AZURITE_OAUTH_BLOB_ENDPOINT"));

    public static HttpClient TrustingTestCa()
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(PeersEnvironment.Get("AZURITE_CA_CERTIFICATE")));
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        });
    }
}

/// <summary>An Entra-shaped storage token (audience, issuer, lifetime) without a signature; records the scopes asked for.</summary>
internal sealed class UnsignedStorageTokenCredential(TimeSpan lifetime) : TokenCredential
{
    private const string Tenant = "00000000-0000-0000-0000-0000000000aa";
    private readonly List<string> _requestedScopes = [];

    public IReadOnlyList<string> RequestedScopes
    {
        get
        {
            lock (_requestedScopes) return [.. _requestedScopes];
        }
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (_requestedScopes) _requestedScopes.AddRange(requestContext.Scopes);
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-30);
        var expires = DateTimeOffset.UtcNow + lifetime;
        var claims = new Dictionary<string, object>
        {
            ["aud"] = "https://storage.azure.com",
            ["iss"] = $"https://sts.windows.net/{Tenant}/",
            ["tid"] = Tenant,
            ["oid"] = "00000000-0000-0000-0000-0000000000bb",
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        var jwt = $"{Part(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" })}.{Part(claims)}.{Base64Url("unsigned"u8)}";
        return ValueTask.FromResult(new AccessToken(jwt, expires));
    }

    private static string Part<T>(T value) => Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
