using System.Threading.RateLimiting;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// An authenticated session rented from <see cref="SendGovernor"/>. Dispose returns it for the next message of
/// the mailbox, unless <see cref="Discard"/> was called (the connection may be broken) — then it is closed.
/// </summary>
public sealed class PooledSmtpSession : IAsyncDisposable
{
    private readonly MailboxSessions _owner;
    private readonly RateLimitLease _slot;
    private bool _discard;
    private bool _returned;

    internal PooledSmtpSession(MailboxSessions owner, RateLimitLease slot, IConnectionSlot sharedSlot, SubmissionClient client, string tokenFingerprint, DateTimeOffset tokenExpiresOn, bool reused)
    {
        _owner = owner;
        _slot = slot;
        SharedSlot = sharedSlot;
        Client = client;
        TokenFingerprint = tokenFingerprint;
        TokenExpiresOn = tokenExpiresOn;
        WasReused = reused;
    }

    public SubmissionClient Client { get; }

    /// <summary>True when the session was authenticated for an earlier message.</summary>
    public bool WasReused { get; }

    internal IConnectionSlot SharedSlot { get; }
    internal string TokenFingerprint { get; }
    internal DateTimeOffset TokenExpiresOn { get; }

    /// <summary>Close the connection instead of keeping it: after a network error, a timeout or a cancelled command.</summary>
    public void Discard() => _discard = true;

    public async ValueTask DisposeAsync()
    {
        if (_returned) return;
        _returned = true;
        try
        {
            await _owner.ReturnAsync(this, keep: !_discard && Client.IsConnected).ConfigureAwait(false);
        }
        finally
        {
            _slot.Dispose();
        }
    }
}
