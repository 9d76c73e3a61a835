using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using TokenBroker.Queues;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

/// <summary>
/// Identity-based connections against the https Azurite instance started with `--oauth basic`, which checks
/// a bearer token's audience, issuer and lifetime (not its signature), so a locally made token stands in for Entra's.
/// </summary>
public sealed class AzureQueueBearerAuthenticationTests : IDisposable
{
    private readonly HttpClient _http = TrustingTestCa(PeersEnvironment.Get("AZURITE_CA_CERTIFICATE"));
    private readonly string _queue = "bearer-" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Uri Endpoint => new(PeersEnvironment.Get("AZURITE_OAUTH_QUEUE_ENDPOINT"));

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_token_for_the_storage_audience_is_sent_as_a_bearer_header_and_accepted()
    {
        var credential = new StorageTokenCredential(TimeSpan.FromHours(1));
        using var transport = new AzureStorageQueueTransport(QueueConnection.WithTokenCredential(Endpoint, credential), httpClient: _http);

        await transport.CreateIfNotExistsAsync(_queue, Ct);
        await transport.SendAsync(_queue, "via bearer", cancellationToken: Ct);
        var received = Assert.Single(await transport.ReceiveAsync(_queue, 1, TimeSpan.FromSeconds(30), Ct));
        await transport.DeleteAsync(_queue, received, Ct);

        Assert.Equal("via bearer", received.Text);
        Assert.Equal([QueueConnection.StorageAudienceScope], credential.RequestedScopes.Distinct());
    }

    [Fact]
    public async Task The_token_is_reused_until_it_nears_expiry()
    {
        var credential = new StorageTokenCredential(TimeSpan.FromHours(1));
        using var transport = new AzureStorageQueueTransport(QueueConnection.WithTokenCredential(Endpoint, credential), httpClient: _http);

        await transport.CreateIfNotExistsAsync(_queue, Ct);
        for (var i = 0; i < 3; i++) await transport.SendAsync(_queue, $"m{i}", cancellationToken: Ct);

        Assert.Single(credential.RequestedScopes);
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_a_clear_error()
    {
        var credential = new StorageTokenCredential(TimeSpan.FromMinutes(-10));
        using var transport = new AzureStorageQueueTransport(QueueConnection.WithTokenCredential(Endpoint, credential), httpClient: _http);

        var error = await Assert.ThrowsAsync<QueueRequestFailedException>(() => transport.CreateIfNotExistsAsync(_queue, Ct));

        Assert.Contains(error.Status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal("AuthenticationFailed", error.ErrorCode);
    }

    [Fact]
    public async Task A_bearer_token_is_never_sent_over_plain_http()
    {
        var credential = new StorageTokenCredential(TimeSpan.FromHours(1));
        using var transport = new AzureStorageQueueTransport(QueueConnection.WithTokenCredential(new Uri("http://127.0.0.1:9/devstoreaccount1"), credential));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => transport.SendAsync(_queue, "x", cancellationToken: Ct));

        Assert.Contains("https", error.Message);
        Assert.Empty(credential.RequestedScopes);
    }

    private static HttpClient TrustingTestCa(string caPath)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var handler = new SocketsHttpHandler
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
        };
        return new HttpClient(handler);
    }

    /// <summary>Makes an unsigned JWT shaped like Entra's storage tokens, and records what it was asked for.</summary>
    private sealed class StorageTokenCredential(TimeSpan lifetime) : TokenCredential
    {
        public List<string> RequestedScopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (RequestedScopes) RequestedScopes.AddRange(requestContext.Scopes);
            var now = DateTimeOffset.UtcNow;
            var expires = now + lifetime;
            var claims = new Dictionary<string, object>
            {
                ["aud"] = "https://storage.azure.com",
                ["iss"] = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
                ["iat"] = now.AddMinutes(-20).ToUnixTimeSeconds(),
                ["nbf"] = now.AddMinutes(-20).ToUnixTimeSeconds(),
                ["exp"] = expires.ToUnixTimeSeconds(),
                ["oid"] = "00000000-0000-0000-0000-00000000000a",
                ["tid"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            };
            var token = $"{Segment(new { alg = "RS256", typ = "JWT" })}.{Segment(claims)}.{Base64Url("not-signed"u8.ToArray())}";
            return ValueTask.FromResult(new AccessToken(token, expires));
        }

        private static string Segment(object value) => Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));

        private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
