using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using TokenBroker.AzureStorage;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>
/// Identity-based connections (managed identity in Azure) against the https Azurite blob instance started with
/// `--oauth basic`: it checks a bearer token's audience, issuer and lifetime but not its signature, so a token
/// made here stands in for Entra's.
/// </summary>
public sealed class AzureBlobMailLedgerBearerTests : IDisposable
{
    private readonly HttpClient _http = TrustingTestCa(PeersEnvironment.Get("AZURITE_CA_CERTIFICATE"));
    private readonly AzureBlobMailLedgerOptions _options = new() { ContainerName = "bearer-" + Guid.NewGuid().ToString("N")[..16], MaxRetries = 0 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Uri Endpoint => new(PeersEnvironment.Get("AZURITE_OAUTH_BLOB_ENDPOINT"));

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_storage_token_authorizes_records_and_checkpoints()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));
        using var ledger = new AzureBlobMailLedger(StorageConnection.WithTokenCredential(credential, null, Endpoint), _options, _http);
        var record = new SentRecord("<x@contoso.com>", DateTimeOffset.UnixEpoch, 1);

        await ledger.RecordSentAsync("alice@contoso.com", "k", record, Ct);
        var saved = await ledger.SaveCheckpointAsync("alice@contoso.com", "imap", "INBOX", new FetchCheckpoint(1, 2, [], DateTimeOffset.UnixEpoch), null, Ct);

        Assert.Equal(record, await ledger.FindSentAsync("alice@contoso.com", "k", Ct));
        Assert.Equal(saved.Version, (await ledger.GetCheckpointAsync("alice@contoso.com", "imap", "INBOX", Ct))!.Version);
        Assert.Equal([StorageConnection.StorageAudienceScope], credential.RequestedScopes);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_the_services_error()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromMinutes(-10));
        using var ledger = new AzureBlobMailLedger(StorageConnection.WithTokenCredential(credential, null, Endpoint), _options, _http);

        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => ledger.FindSentAsync("alice@contoso.com", "k", Ct));

        Assert.Equal("AuthenticationFailed", error.ErrorCode);
    }

    [Fact]
    public async Task A_bearer_token_is_never_sent_over_plain_http()
    {
        var credential = new UnsignedStorageTokenCredential(TimeSpan.FromHours(1));
        using var ledger = new AzureBlobMailLedger(
            StorageConnection.WithTokenCredential(credential, null, new Uri(PeersEnvironment.Get("AZURITE_BLOB_ENDPOINT"))), _options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.FindSentAsync("alice@contoso.com", "k", Ct));

        Assert.Contains("https", error.Message);
        Assert.Empty(credential.RequestedScopes);
    }

    private static HttpClient TrustingTestCa(string caPath)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
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

    /// <summary>An Entra-shaped storage token (audience, issuer, lifetime) without a signature; records the scopes asked for.</summary>
    private sealed class UnsignedStorageTokenCredential(TimeSpan lifetime) : TokenCredential
    {
        private const string Tenant = "00000000-0000-0000-0000-0000000000aa";

        public List<string> RequestedScopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (RequestedScopes) RequestedScopes.AddRange(requestContext.Scopes);
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
}
