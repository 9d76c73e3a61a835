using System.Collections.Concurrent;

namespace TokenBroker.OAuth;

/// <summary>
/// Access tokens this instance obtained, kept in memory per mailbox until <see cref="RenewBefore"/> ahead of their
/// expiry, so sends and fetches cost no store read and no token request while a token lasts. Never persisted: each
/// instance renews its own, and a renewal writes nothing to the store.
/// </summary>
public sealed class AccessTokenMemoryCache
{
    private readonly ConcurrentDictionary<string, MailboxAccessToken> _tokens = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A token this close to its expiry is renewed rather than handed out (a send may take minutes).</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A fresh token, or null; a stale one is dropped, so memory holds only mailboxes in use.</summary>
    public MailboxAccessToken? Get(string mailboxAddress, DateTimeOffset now)
    {
        var key = mailboxAddress.Trim();
        if (!_tokens.TryGetValue(key, out var token)) return null;
        if (IsFresh(token, now)) return token;
        _tokens.TryRemove(KeyValuePair.Create(key, token));
        return null;
    }

    public bool IsFresh(MailboxAccessToken token, DateTimeOffset now) => token.ExpiresOn - now > RenewBefore;

    public void Set(MailboxAccessToken token) => _tokens[token.User.Trim()] = token;

    /// <summary>Replaces the token of a mailbox in use here; adds none (the keep-alive must not fill memory with every mailbox).</summary>
    public void Replace(MailboxAccessToken token)
    {
        var key = token.User.Trim();
        if (_tokens.TryGetValue(key, out var held)) _tokens.TryUpdate(key, token, held);
    }

    public void Forget(string mailboxAddress) => _tokens.TryRemove(mailboxAddress.Trim(), out _);
}
