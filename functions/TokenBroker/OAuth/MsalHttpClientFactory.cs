using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// The one HttpClient MSAL uses for every tenant (MSAL wants a long-lived client). The handler is
/// replaceable so tests can trust their own CA; certificate validation is never switched off here.
/// </summary>
public sealed class MsalHttpClientFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly Lazy<HttpClient> _client;

    public MsalHttpClientFactory(IOptions<OAuthOptions> options, IdentityProviderHttpHandler? handler = null)
    {
        // Built on first use: reading the options validates them, and a configuration error belongs to the
        // request that needs the identity provider, with its sentence, not to whoever resolves this service.
        _client = new Lazy<HttpClient>(() => new HttpClient(
            handler?.Handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            Timeout = options.Value.HttpTimeout,
        });
    }

    public HttpClient GetHttpClient() => _client.Value;

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}

/// <summary>Registered only when the identity provider must be reached through a special handler (tests: a test CA).</summary>
public sealed record IdentityProviderHttpHandler(HttpMessageHandler Handler);
