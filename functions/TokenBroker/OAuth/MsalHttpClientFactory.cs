using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// The one HttpClient MSAL uses for every tenant (MSAL wants a long-lived client). The handler is
/// replaceable so tests can trust their own CA; certificate validation is never switched off here.
/// </summary>
public sealed class MsalHttpClientFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client;

    public MsalHttpClientFactory(IOptions<OAuthOptions> options, IdentityProviderHttpHandler? handler = null)
    {
        _client = new HttpClient(handler?.Handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            disposeHandler: true)
        {
            Timeout = options.Value.HttpTimeout,
        };
    }

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}

/// <summary>Registered only when the identity provider must be reached through a special handler (tests: a test CA).</summary>
public sealed record IdentityProviderHttpHandler(HttpMessageHandler Handler);
