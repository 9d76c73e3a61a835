using System.Collections.Concurrent;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>
/// Real tokens from the local identity server (minted through its control endpoint, signed with the key Dovecot trusts),
/// cached per mailbox like the real provider does. <see cref="Failure"/> makes the next calls fail as the real one would.
/// </summary>
internal sealed class MintingTokenProvider : IMailboxTokenProvider, IDisposable
{
    private readonly IdentityServerControl _identity = new();
    private readonly ConcurrentDictionary<string, MailboxAccessToken> _cache = new(StringComparer.OrdinalIgnoreCase);

    public int Calls;
    public TokenFailure? Failure { get; set; }

    // Minted tokens are always fresh: a forced refresh is just another mint.
    public Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default) =>
        GetAccessTokenAsync(mailboxAddress, cancellationToken);

    public async Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        if (Failure is { } failure)
            throw new MailboxTokenUnavailableException(mailboxAddress, failure.IsTransient ? MailboxState.Connected : MailboxState.NeedsConsent, failure);
        if (_cache.TryGetValue(mailboxAddress, out var cached))
            return cached;
        // A distinct claim per mint: a rotated token always differs from the last, even within the same second.
        var token = await _identity.MintAccessTokenAsync(mailboxAddress, ["SMTP.Send"], TimeSpan.FromHours(1),
            extraClaims: new Dictionary<string, object?> { ["uti"] = Guid.NewGuid().ToString("N") }, cancellationToken: cancellationToken);
        return _cache[mailboxAddress] = new MailboxAccessToken(token, DateTimeOffset.UtcNow.AddHours(1), mailboxAddress);
    }

    /// <summary>Forgets the cached token: the next call mints a new one (as after a refresh).</summary>
    public void Rotate(string mailbox) => _cache.TryRemove(mailbox, out _);

    public void Dispose() => _identity.Dispose();
}
