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

    public MailboxAccessToken? Get(string mailboxAddress, DateTimeOffset now) =>
        _tokens.TryGetValue(mailboxAddress.Trim(), out var token) && IsFresh(token, now) ? token : null;

    public bool IsFresh(MailboxAccessToken token, DateTimeOffset now) => token.ExpiresOn - now > RenewBefore;

    public void Set(MailboxAccessToken token) => _tokens[token.User.Trim()] = token;

    public void Forget(string mailboxAddress) => _tokens.TryRemove(mailboxAddress.Trim(), out _);
}
