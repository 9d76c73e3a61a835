using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// One mailbox's MSAL user cache for one token call: loaded from bytes the caller read (the mailbox record or the
/// consent's cache), never written anywhere by MSAL. What the call changed (a rotated refresh token) is in
/// <see cref="Data"/> for the caller to keep or drop.
/// </summary>
public sealed class InMemoryTokenCache(byte[]? data)
{
    public byte[]? Data { get; private set; } = data;

    public bool HasChanged { get; private set; }

    internal void Attach(ITokenCache cache)
    {
        cache.SetBeforeAccess(args => args.TokenCache.DeserializeMsalV3(Data ?? [], shouldClearExistingCache: true));
        cache.SetAfterAccess(args =>
        {
            if (!args.HasStateChanged) return;
            Data = args.TokenCache.SerializeMsalV3();
            HasChanged = true;
        });
    }
}
