using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// One mailbox's SMTP sessions: at most MaxConnections open (a <see cref="ConcurrencyLimiter"/> hands out slots;
/// a session is either rented or idle, so idle ones never push the count over), idle ones kept for reuse. Each open
/// connection also holds one of the mailbox's shared slots (<see cref="IConnectionSlot"/>), released when it closes.
/// </summary>
internal sealed class MailboxSessions(string mailbox, MailGovernorOptions options, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrencyLimiter _slots = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.MaxConnections,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
    private readonly Stack<IdleSession> _idle = new();
    private readonly Lock _gate = new();

    public string Mailbox { get; } = mailbox;

    public int IdleCount { get { lock (_gate) return _idle.Count; } }

    public async Task<RateLimitLease> AcquireSlotAsync(CancellationToken cancellationToken)
    {
        var lease = await _slots.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new InvalidOperationException("The connection limiter refused a slot although it queues without bound.");
    }

    /// <summary>
    /// The most recently used idle session that can serve <paramref name="tokenFingerprint"/>; stale ones are closed on
    /// the way. One whose last transaction ended less than <paramref name="trustedFor"/> ago is taken without the RSET.
    /// </summary>
    public async Task<IdleSession?> TakeIdleAsync(string tokenFingerprint, TimeSpan trustedFor, CancellationToken cancellationToken)
    {
        while (true)
        {
            IdleSession? candidate;
            lock (_gate)
                candidate = _idle.Count > 0 ? _idle.Pop() : null;
            if (candidate is null) return null;
            var now = timeProvider.GetUtcNow();
            var reason =
                now - candidate.LastUsed >= options.IdleConnectionTimeout ? "it was idle too long"
                : candidate.TokenFingerprint != tokenFingerprint ? "the mailbox's token changed (re-authenticating)"
                : candidate.TokenExpiresOn <= now ? "the token it authenticated with has expired"
                : !candidate.Slot.IsHeld ? "its shared connection slot lapsed"
                : null;
            if (reason is null && now - candidate.LastUsed < trustedFor) return candidate;
            if (reason is null)
            {
                try
                {
                    // RSET proves the connection is alive and clears whatever a failed transaction left behind.
                    await candidate.Client.ResetAsync(cancellationToken).ConfigureAwait(false);
                    return candidate;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    reason = $"RSET failed ({exception.Message})";
                }
            }
            logger.LogDebug("Closing an idle SMTP session of {Mailbox}: {Reason}.", Mailbox, reason);
            await CloseAsync(candidate.Client, candidate.Slot).ConfigureAwait(false);
        }
    }

    public async Task ReturnAsync(PooledSmtpSession session, bool keep)
    {
        if (keep && session.SharedSlot.IsHeld)
        {
            lock (_gate)
                _idle.Push(new IdleSession(session.Client, session.SharedSlot, session.TokenFingerprint, session.TokenExpiresOn, timeProvider.GetUtcNow()));
            return;
        }
        await CloseAsync(session.Client, session.SharedSlot).ConfigureAwait(false);
    }

    /// <summary>Closes idle sessions unused for the idle timeout.</summary>
    public async Task CloseIdleAsync()
    {
        List<IdleSession> expired;
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            var all = _idle.Reverse().ToList();
            expired = all.Where(s => now - s.LastUsed >= options.IdleConnectionTimeout).ToList();
            _idle.Clear();
            foreach (var keep in all.Except(expired)) _idle.Push(keep);
        }
        foreach (var session in expired)
            await CloseAsync(session.Client, session.Slot).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        List<IdleSession> all;
        lock (_gate)
        {
            all = [.. _idle];
            _idle.Clear();
        }
        foreach (var session in all)
            await CloseAsync(session.Client, session.Slot).ConfigureAwait(false);
        _slots.Dispose();
    }

    /// <summary>Closes the connection, then frees its shared slot (in that order: the server must not see one more).</summary>
    internal static async Task CloseAsync(SubmissionClient client, IConnectionSlot slot)
    {
        try
        {
            using (client)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                // The session is being thrown away; a failed QUIT changes nothing.
                await SmtpSubmission.QuitQuietlyAsync(client, timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            await slot.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal sealed record IdleSession(SubmissionClient Client, IConnectionSlot Slot, string TokenFingerprint, DateTimeOffset TokenExpiresOn, DateTimeOffset LastUsed);
}
