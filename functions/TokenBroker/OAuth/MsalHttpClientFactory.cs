using System.Net.Security;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Net;

namespace TokenBroker.OAuth;

/// <summary>
/// The one HttpClient MSAL (and the Entra caller check's OIDC metadata retriever) uses for every tenant: MSAL wants a
/// long-lived client. <see cref="OAuthOptions.TrustedCaFile"/> adds a private CA to the system roots through the mail
/// side's <see cref="CertificateTrust"/> (names and server-auth usage still checked); tests may replace the handler.
/// Every request passes <see cref="GatedIdentityProviderHandler"/> (the refresh sweep's concurrency limit).
/// Certificate validation is never switched off here.
/// </summary>
public sealed class MsalHttpClientFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly Lazy<HttpClient> _client;

    public MsalHttpClientFactory(IOptions<OAuthOptions> options, IdentityProviderHttpHandler? handler = null)
    {
        // Built on first use: reading the options validates them, and a configuration error belongs to the
        // request that needs the identity provider, with its sentence, not to whoever resolves this service.
        _client = new Lazy<HttpClient>(() => new HttpClient(new GatedIdentityProviderHandler(handler?.Handler ?? CreateHandler(options.Value)), disposeHandler: true)
        {
            Timeout = options.Value.HttpTimeout,
        });
    }

    public HttpClient GetHttpClient() => _client.Value;

    private static SocketsHttpHandler CreateHandler(OAuthOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var extraRoots = MailServerSettings.LoadExtraRoots(options.TrustedCaFile, OAuthOptions.SectionName + ":TrustedCaFile");
        if (extraRoots is not null)
        {
            var trust = new CertificateTrust(new MailClientOptions { ExtraTrustedRoots = extraRoots });
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = trust.Validate };
        }
        return handler;
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}

/// <summary>Registered only when the identity provider must be reached through a special handler (tests: a test CA).</summary>
public sealed record IdentityProviderHttpHandler(HttpMessageHandler Handler);
