using Microsoft.Identity.Client;
using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// An MSAL cache that keeps what a token call produced in memory and writes it to the store only when the
/// caller, having checked the token, commits it.
/// </summary>
public sealed class StagedTokenCache(ITokenCacheStore store)
{
    private string? _cacheKey;
    private byte[]? _data;

    internal void Attach(ITokenCache cache) => cache.SetAfterAccess(args =>
    {
        // A public client (the device code flow) gets no suggested key: its user cache is keyed like the confidential
        // client's, by the account's home account id ("oid.tid").
        if (args.HasStateChanged && (args.SuggestedCacheKey ?? args.Account?.HomeAccountId?.Identifier) is { } key)
        {
            _cacheKey = key;
            _data = args.TokenCache.SerializeMsalV3();
        }
    });

    public bool HasChanges => _data is not null;

    /// <summary>Writes the staged cache under MSAL's key (the account's "oid.tid"), replacing an older one.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_cacheKey is null || _data is null) return;
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.ReadAsync(_cacheKey, cancellationToken).ConfigureAwait(false);
            try
            {
                await store.WriteAsync(_cacheKey, _data, current?.Version, tags: null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (StoreConcurrencyException) when (attempt < 3)
            {
                // A refresh of the same account landed in between; the new consent's tokens still win.
            }
        }
    }
}
