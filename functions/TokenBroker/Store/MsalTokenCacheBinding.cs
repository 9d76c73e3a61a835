using System.Collections.Concurrent;
using Microsoft.Identity.Client;

namespace TokenBroker.Store;

/// <summary>
/// Keeps MSAL's token cache in an <see cref="ITokenCacheStore"/>, one blob per SuggestedCacheKey: loaded before
/// each cache access, written after it only when MSAL changed the cache and the serialized bytes differ from what
/// was loaded. The write is conditional on the version loaded; a <see cref="StoreConcurrencyException"/> (another
/// instance refreshed the same account meanwhile) propagates out of the MSAL call, and the caller retries it.
/// Relies on MSAL's cache synchronization (on by default; do not call WithCacheSynchronization(false)): one
/// application object serves many accounts, and each access replaces its in-memory cache with the account's blob.
/// </summary>
public sealed class MsalTokenCacheBinding(ITokenCacheStore store)
{
    private readonly ConcurrentDictionary<(string CacheKey, Guid CorrelationId), Versioned<byte[]>?> _loaded = new();

    /// <summary>Binds both the application cache and the user cache of a confidential client.</summary>
    public void Bind(IConfidentialClientApplication application)
    {
        ArgumentNullException.ThrowIfNull(application);
        Bind(application.AppTokenCache);
        Bind(application.UserTokenCache);
    }

    public void Bind(ITokenCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.SetBeforeAccessAsync(BeforeAccessAsync);
        cache.SetAfterAccessAsync(AfterAccessAsync);
    }

    private async Task BeforeAccessAsync(TokenCacheNotificationArgs args)
    {
        var cacheKey = CacheKeyOf(args);
        var loaded = await store.ReadAsync(cacheKey, args.CancellationToken).ConfigureAwait(false);
        // Always replace what MSAL holds in memory: the application object is shared by every account.
        args.TokenCache.DeserializeMsalV3(loaded?.Value ?? [], shouldClearExistingCache: true);
        _loaded[(cacheKey, args.CorrelationId)] = loaded;
    }

    private async Task AfterAccessAsync(TokenCacheNotificationArgs args)
    {
        var cacheKey = CacheKeyOf(args);
        // MSAL pairs every after-access with a before-access on the same key within one request.
        _loaded.TryRemove((cacheKey, args.CorrelationId), out var loaded);
        if (!args.HasStateChanged) return;

        var serialized = args.TokenCache.SerializeMsalV3();
        if (loaded is not null && loaded.Value.AsSpan().SequenceEqual(serialized)) return;

        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cache"] = args.IsApplicationCache ? "app" : "user",
        };
        await store.WriteAsync(cacheKey, serialized, loaded?.Version, tags, args.CancellationToken).ConfigureAwait(false);
    }

    private static string CacheKeyOf(TokenCacheNotificationArgs args) =>
        string.IsNullOrEmpty(args.SuggestedCacheKey)
            ? throw new InvalidOperationException("MSAL gave no SuggestedCacheKey for this cache access; the token store keeps one cache per account or tenant and cannot serve an unpartitioned cache.")
            : args.SuggestedCacheKey;
}
