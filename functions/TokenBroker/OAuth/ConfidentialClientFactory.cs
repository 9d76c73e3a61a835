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

    /// <summary>
    /// A client of the tenant whose user and app token caches read from and write to the store. A new client per
    /// call: MSAL holds its cache lock only while loading (BeforeAccess), not while it reads the loaded entries, so
    /// one client shared by concurrent calls for different accounts lets one call's load wipe what another is about
    /// to read (seen as no_tokens_found under the refresh sweep's parallelism). Building a client is local work:
    /// the credential is loaded once, and the cache is loaded from the store on every access anyway.
    /// </summary>
    public async Task<IConfidentialClientApplication> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        var client = await BuildAsync(tenantId, cancellationToken).ConfigureAwait(false);
        _cacheBinding.Bind(client);
        return client;
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

    /// <summary>
    /// A public client of the same app registration with a staged cache, for the device code flow: MSAL.NET offers
    /// AcquireTokenWithDeviceCode only on public clients (the request carries no client credential; the app
    /// registration must allow public client flows). Entra binds the refresh token to that kind of client: presented
    /// later with the broker's secret or certificate it is refused (AADSTS700025), so the mailbox records
    /// <see cref="MailboxClientKind.Public"/> and is refreshed through <see cref="CreateInMemoryPublic"/>.
    /// </summary>
    public (IPublicClientApplication Client, StagedTokenCache Cache) CreateStagedPublic(string tenantId)
    {
        var client = BuildPublic(tenantId);
        var staged = new StagedTokenCache(_cacheStore);
        staged.Attach(client.UserTokenCache);
        return (client, staged);
    }

    /// <summary>A public client (no credential) whose user cache is <paramref name="cache"/> alone: redeems a <see cref="MailboxClientKind.Public"/> mailbox's refresh token.</summary>
    public IPublicClientApplication CreateInMemoryPublic(string tenantId, InMemoryTokenCache cache)
    {
        var client = BuildPublic(tenantId);
        cache.Attach(client.UserTokenCache);
        return client;
    }

    /// <summary>A staged client of the kind a refresh token was issued to: what an import or the broker's device flow redeems it with.</summary>
    public async Task<(IByRefreshToken Client, StagedTokenCache Cache)> CreateStagedAsync(string tenantId, MailboxClientKind kind, CancellationToken cancellationToken = default)
    {
        if (kind == MailboxClientKind.Public)
        {
            var (publicClient, publicCache) = CreateStagedPublic(tenantId);
            return ((IByRefreshToken)publicClient, publicCache);
        }
        var (client, cache) = await CreateStagedAsync(tenantId, cancellationToken).ConfigureAwait(false);
        return ((IByRefreshToken)client, cache);
    }

    /// <summary>
    /// A client whose user cache is <paramref name="cache"/> alone (the token provider loads it from the mailbox
    /// record) and whose app cache lives only in this client: nothing it does is written to the store.
    /// </summary>
    public async Task<IConfidentialClientApplication> CreateInMemoryAsync(string tenantId, InMemoryTokenCache cache, CancellationToken cancellationToken = default)
    {
        var client = await BuildAsync(tenantId, cancellationToken).ConfigureAwait(false);
        cache.Attach(client.UserTokenCache);
        return client;
    }

    /// <summary>The user cache a consent stored under MSAL's key for the account ("oid.tid"), or null.</summary>
    public async Task<byte[]?> ReadStoredUserCacheAsync(string homeAccountId, CancellationToken cancellationToken = default) =>
        (await _cacheStore.ReadAsync(homeAccountId, cancellationToken).ConfigureAwait(false))?.Value;

    private IPublicClientApplication BuildPublic(string tenantId)
    {
        var o = _options.Value;
        if (string.IsNullOrWhiteSpace(tenantId))
            throw new ArgumentException("A tenant id is required: pass one or set OAuth:TenantId.", nameof(tenantId));
        var builder = PublicClientApplicationBuilder.Create(o.ClientId)
            .WithAuthority(o.AuthorityFor(tenantId), validateAuthority: false)
            .WithLegacyCacheCompatibility(false)
            .WithHttpClientFactory(_httpClientFactory);
        if (!o.IsPublicCloud)
            builder = builder.WithInstanceDiscovery(false);
        if (o.EnableMsalLogging)
            builder = builder.WithLogging(ForwardMsalLog, MsalLogLevel.Info, enablePiiLogging: false, enableDefaultPlatformLogging: false);
        return builder.Build();
    }

    private async Task<IConfidentialClientApplication> BuildAsync(string tenantId, CancellationToken cancellationToken)
    {
        var o = _options.Value; // IOptions validation throws here with the sentence naming the bad setting.
        if (string.IsNullOrWhiteSpace(tenantId))
            throw new ArgumentException("A tenant id is required: pass one or set OAuth:TenantId.", nameof(tenantId));

        var builder = ConfidentialClientApplicationBuilder.Create(o.ClientId)
            .WithAuthority(o.AuthorityFor(tenantId), validateAuthority: false)
            .WithRedirectUri(o.EffectiveRedirectUri)
            // Only the MSAL format is ever persisted (SerializeMsalV3); building the ADAL copy on every token was waste.
            .WithLegacyCacheCompatibility(false)
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
