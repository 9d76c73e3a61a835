using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using TokenBroker.Store;
using MsalLogLevel = Microsoft.Identity.Client.LogLevel;

namespace TokenBroker.OAuth;

/// <summary>
/// Builds the MSAL confidential client of a tenant: authority https://&lt;host&gt;/&lt;tenant&gt;, the broker's
/// credential, the shared HttpClient, and (for <see cref="GetAsync"/>) token caches persisted in the store.
/// </summary>
public sealed class ConfidentialClientFactory
{
    private readonly IOptions<OAuthOptions> _options;
    private readonly IMsalHttpClientFactory _httpClientFactory;
    private readonly ClientCredentialLoader _credentials;
    private readonly ITokenCacheStore _cacheStore;
    private readonly MsalTokenCacheBinding _cacheBinding;
    private readonly ILogger _msalLogger;
    private readonly ConcurrentDictionary<string, Lazy<Task<IConfidentialClientApplication>>> _byTenant = new(StringComparer.OrdinalIgnoreCase);

    public ConfidentialClientFactory(
        IOptions<OAuthOptions> options,
        IMsalHttpClientFactory httpClientFactory,
        ClientCredentialLoader credentials,
        ITokenCacheStore cacheStore,
        MsalTokenCacheBinding cacheBinding,
        ILoggerFactory loggerFactory)
    {
        _cacheBinding = cacheBinding;
        _options = options;
        _httpClientFactory = httpClientFactory;
        _credentials = credentials;
        _cacheStore = cacheStore;
        _msalLogger = loggerFactory.CreateLogger("TokenBroker.OAuth.Msal");
    }

    /// <summary>The tenant's client, whose user and app token caches read from and write to the store.</summary>
    public Task<IConfidentialClientApplication> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var lazy = _byTenant.GetOrAdd(tenantId, t => new Lazy<Task<IConfidentialClientApplication>>(() => BuildBoundAsync(t)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// A client whose caches live only in memory until <see cref="StagedTokenCache.CommitAsync"/>: the consent
    /// callback redeems the code here so that a token it then rejects (wrong account, missing scope) is never stored.
    /// </summary>
    public async Task<(IConfidentialClientApplication Client, StagedTokenCache Cache)> CreateStagedAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var client = await BuildAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var staged = new StagedTokenCache(_cacheStore);
        staged.Attach(client.UserTokenCache);
        return (client, staged);
    }

    private async Task<IConfidentialClientApplication> BuildBoundAsync(string tenantId)
    {
        try
        {
            var client = await BuildAsync(tenantId, CancellationToken.None).ConfigureAwait(false);
            _cacheBinding.Bind(client);
            return client;
        }
        catch
        {
            // A failed build (vault unreachable) must not be cached for the life of the process.
            _byTenant.TryRemove(tenantId, out _);
            throw;
        }
    }

    private async Task<IConfidentialClientApplication> BuildAsync(string tenantId, CancellationToken cancellationToken)
    {
        var o = _options.Value; // IOptions validation throws here with the sentence naming the bad setting.
        if (string.IsNullOrWhiteSpace(tenantId))
            throw new ArgumentException("A tenant id is required: pass one or set OAuth:TenantId.", nameof(tenantId));

        var builder = ConfidentialClientApplicationBuilder.Create(o.ClientId)
            .WithAuthority(o.AuthorityFor(tenantId), validateAuthority: false)
            .WithRedirectUri(o.EffectiveRedirectUri)
            .WithHttpClientFactory(_httpClientFactory);
        if (!o.IsPublicCloud)
            builder = builder.WithInstanceDiscovery(false); // a sovereign or test authority has no public instance metadata
        if (o.EnableMsalLogging)
            builder = builder.WithLogging(ForwardMsalLog, MsalLogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false);

        var certificate = await _credentials.GetCertificateAsync(cancellationToken).ConfigureAwait(false);
        builder = certificate is null ? builder.WithClientSecret(o.ClientSecret) : builder.WithCertificate(certificate, sendX5C: true);
        return builder.Build();
    }

    private void ForwardMsalLog(MsalLogLevel level, string message, bool containsPii)
    {
        if (containsPii) return; // PII logging is off; this is a second guard.
        var mapped = level switch
        {
            MsalLogLevel.Error => Microsoft.Extensions.Logging.LogLevel.Error,
            MsalLogLevel.Warning => Microsoft.Extensions.Logging.LogLevel.Warning,
            MsalLogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Debug,
            _ => Microsoft.Extensions.Logging.LogLevel.Trace,
        };
        _msalLogger.Log(mapped, "{MsalMessage}", message);
    }
}
