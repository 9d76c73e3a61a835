using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

/// <summary>
/// One mailbox's MSAL user cache for one token call: loaded from bytes the caller read (the mailbox record or the
/// consent's cache), never written anywhere by MSAL. What the call changed (a rotated refresh token) is in
/// <see cref="Data"/> for the caller to keep or drop.
/// </summary>
public sealed class InMemoryTokenCache(byte[]? data)
{
    private int _version;

    public byte[]? Data { get; private set; } = data;

    public bool HasChanged { get; private set; }

    internal void Attach(ITokenCache cache)
    {
        // MSAL calls BeforeAccess around every read and write of one token call; the client's state already holds
        // Data unless another client's write replaced it since, so it is loaded once per change, not per access
        // (each load parses the whole cache: the largest allocation of a keep-alive).
        var loadedVersion = -1;
        cache.SetBeforeAccess(args =>
        {
            if (loadedVersion == Volatile.Read(ref _version)) return;
            args.TokenCache.DeserializeMsalV3(Data ?? [], shouldClearExistingCache: true);
            loadedVersion = Volatile.Read(ref _version);
        });
        cache.SetAfterAccess(args =>
        {
            if (!args.HasStateChanged) return;
            Data = args.TokenCache.SerializeMsalV3();
            HasChanged = true;
            loadedVersion = Interlocked.Increment(ref _version);
        });
    }
}
