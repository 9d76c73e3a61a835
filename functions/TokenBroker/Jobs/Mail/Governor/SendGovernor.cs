using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// Keeps each sending mailbox within Exchange Online's limits (<see cref="MailGovernorOptions"/>) over every instance
/// that shares its <see cref="IGovernorState"/>, and reuses its authenticated SMTP sessions: consecutive messages of a
/// mailbox go over one connection and one AUTH. A saturated mailbox makes its messages wait here (the queue's lease is
/// renewed by the host meanwhile) for at most MaxWait, then go back to the queue; a throttling reply from the server
/// (<see cref="ReportThrottlingAsync"/>) makes every instance leave the mailbox alone for a while.
/// </summary>
public sealed class SendGovernor : IAsyncDisposable
{
    private readonly MailGovernorOptions _options;
    private readonly GovernorLimits _limits;
    private readonly ISmtpSessionFactory _factory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<MailboxSessions>> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ITimer _idleSweep;

    /// <param name="state">Where the counters are shared; null: this process only (<see cref="LocalGovernorState"/>).</param>
    public SendGovernor(MailGovernorOptions options, ISmtpSessionFactory factory, TimeProvider timeProvider, ILogger<SendGovernor>? logger = null, IGovernorState? state = null)
    {
        options.Validate();
        _options = options;
        _limits = GovernorLimits.From(options);
        _factory = factory;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<SendGovernor>.Instance;
        State = state ?? new LocalGovernorState(timeProvider);
        _idleSweep = timeProvider.CreateTimer(_ => _ = CloseIdleSessionsAsync(), null, options.IdleConnectionTimeout, options.IdleConnectionTimeout);
    }

    /// <summary>Where the counters live (for status and for measuring storage operations).</summary>
    public IGovernorState State { get; }

    public GovernorLimits Limits => _limits;

    /// <summary>Takes <paramref name="recipients"/> from the mailbox's rolling-day budget, waiting out a server back-off.</summary>
    /// <exception cref="SendBudgetExhaustedException">The budget is spent; the message must wait (transient).</exception>
    /// <exception cref="MailboxBusyException">The mailbox stays backed off longer than MaxWait (transient).</exception>
    public Task TakeRecipientsAsync(string mailbox, int recipients, CancellationToken cancellationToken = default) =>
        AdmitAsync(mailbox, recipients, token => State.TryTakeRecipientsAsync(mailbox, recipients, _limits, token), cancellationToken);

    /// <summary>Waits until the mailbox may send one more message within its per-window limit.</summary>
    public Task<RateLimitLease> WaitForMessageSlotAsync(string mailbox, CancellationToken cancellationToken = default) =>
        WaitForMessageSlotAsync(mailbox, recipients: 0, cancellationToken);

    /// <summary>
    /// Waits until the mailbox may send one more message, taking <paramref name="recipients"/> from its day in the same
    /// step (one shared read-modify-write instead of two). Call it with the session in hand, right before the transaction,
    /// so the server sees messages no faster than they were admitted.
    /// </summary>
    /// <exception cref="SendBudgetExhaustedException">The day's recipients are spent (transient).</exception>
    /// <exception cref="MailboxBusyException">No turn within MaxWait (transient: the queue retries later).</exception>
    public async Task<RateLimitLease> WaitForMessageSlotAsync(string mailbox, int recipients, CancellationToken cancellationToken = default)
    {
        await AdmitAsync(mailbox, recipients, token => State.TryAdmitAsync(mailbox, recipients, _limits, token), cancellationToken).ConfigureAwait(false);
        return GrantedLease.Instance;
    }

    /// <summary>
    /// An authenticated session for <paramref name="token"/>'s mailbox: an idle one (checked with RSET) when its token
    /// is still the current one, else a new connection, which first needs one of the mailbox's shared slots. Waits while
    /// the mailbox already has MaxConnections open (here or, with shared state, on any instance), at most MaxWait.
    /// </summary>
    /// <param name="trustRecentUse">
    /// An idle session whose last transaction ended less than this ago is handed out without the RSET round trip. Zero
    /// (the default) for a sender that records its attempt before the transaction: there a connection that died since
    /// would make an in-doubt send, so it must be proven first. A relay whose app retries a failed message may trust it.
    /// </param>
    /// <exception cref="MailboxBusyException">No slot freed up within MaxWait (transient).</exception>
    public async Task<PooledSmtpSession> RentSessionAsync(string mailbox, MailEndpoint endpoint, MailboxAccessToken token, string mechanismName = "xoauth2",
        TimeSpan trustRecentUse = default, CancellationToken cancellationToken = default)
    {
        var sessions = SessionsOf(mailbox);
        var slot = await sessions.AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fingerprint = Fingerprint(token.AccessToken);
            if (await sessions.TakeIdleAsync(fingerprint, trustRecentUse, cancellationToken).ConfigureAwait(false) is { } idle)
                return new PooledSmtpSession(sessions, slot, idle.Slot, idle.Client, idle.TokenFingerprint, idle.TokenExpiresOn, reused: true);
            // A new connection while the server throttles the mailbox would only be refused again: wait the back-off out first.
            await AdmitAsync(mailbox, 0, token => State.TryTakeRecipientsAsync(mailbox, 0, _limits, token), cancellationToken).ConfigureAwait(false);
            var shared = await AcquireSharedSlotAsync(mailbox, cancellationToken).ConfigureAwait(false);
            try
            {
                var mechanism = OAuthMechanisms.CreateSasl(mechanismName, token.User, token.AccessToken, endpoint);
                var client = await _factory.OpenAsync(endpoint, mechanism, cancellationToken).ConfigureAwait(false);
                return new PooledSmtpSession(sessions, slot, shared, client, fingerprint, token.ExpiresOn, reused: false);
            }
            catch
            {
                await shared.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Feeds a failed send back: when <paramref name="error"/> carries a throttling reply, the mailbox backs off for every
    /// instance. Null when it is no throttling reply; otherwise the back-off, with <see cref="ThrottlingReport.IsNew"/> true
    /// for the one caller that started it (it raises the event).
    /// </summary>
    public async Task<ThrottlingReport?> ReportThrottlingAsync(string mailbox, Exception error, CancellationToken cancellationToken = default)
    {
        if (ThrottlingReplies.Recognise(error, _options) is not { } throttling) return null;
        var until = _timeProvider.GetUtcNow() + throttling.Backoff;
        var isNew = await State.BackOffAsync(mailbox, until, throttling.Reason, cancellationToken).ConfigureAwait(false);
        _logger.LogWarning("The server throttles {Mailbox}; every instance leaves it alone until {Until:O}: {Reason}", mailbox, until, throttling.Reason);
        return new ThrottlingReport(until, throttling.Reason, isNew);
    }

    /// <summary>True when <paramref name="error"/> carries a reply by which the server throttles the mailbox (to be reported, not treated as a refusal).</summary>
    public bool IsThrottlingReply(Exception error) => ThrottlingReplies.Recognise(error, _options) is not null;

    /// <summary>The mailbox's counters as every instance sharing the state sees them.</summary>
    public Task<GovernorSnapshot> ReadAsync(string mailbox, CancellationToken cancellationToken = default) =>
        State.ReadAsync(mailbox, _limits, cancellationToken);

    /// <summary>Idle sessions kept for <paramref name="mailbox"/> (for tests and diagnostics).</summary>
    public int IdleSessionCount(string mailbox) => _sessions.TryGetValue(mailbox, out var sessions) ? sessions.Value.IdleCount : 0;

    public async ValueTask DisposeAsync()
    {
        _idleSweep.Dispose();
        foreach (var sessions in _sessions.Values)
            await sessions.Value.DisposeAsync().ConfigureAwait(false);
    }

    private async Task AdmitAsync(string mailbox, int recipients, Func<CancellationToken, Task<Admission>> attempt, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _options.MaxWait;
        while (true)
        {
            var admission = await attempt(cancellationToken).ConfigureAwait(false);
            if (admission.Granted) return;
            if (admission.Result == AdmissionResult.RecipientsSpent)
                throw new SendBudgetExhaustedException(mailbox, recipients, _limits.RecipientsPerDay, admission.RecipientsLeft, admission.RetryAfter);
            // With shared state a little randomness, so the instances waiting for the same moment do not all write at once.
            var wait = State is LocalGovernorState ? admission.RetryAfter
                : admission.RetryAfter + TimeSpan.FromMilliseconds(Random.Shared.Next(1, 1 + (int)Math.Min(250, _limits.Window.TotalMilliseconds / 20)));
            if (_timeProvider.GetUtcNow() + wait > deadline)
                throw MailboxBusyException.For(mailbox, admission, _options);
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IConnectionSlot> AcquireSharedSlotAsync(string mailbox, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _options.MaxWait;
        while (true)
        {
            if (await State.TryAcquireConnectionAsync(mailbox, _limits, cancellationToken).ConfigureAwait(false) is { } slot)
                return slot;
            var wait = _options.SlotPollInterval * (0.5 + Random.Shared.NextDouble());
            if (_timeProvider.GetUtcNow() + wait > deadline)
                throw new MailboxBusyException(mailbox, $"{mailbox} has all its {_limits.MaxConnections} SMTP connections (setting {MailGovernorOptions.Section}:MaxConnections) open on other instances for longer than {_options.MaxWait}; the message goes back to the queue and is retried.", _options.SlotPollInterval);
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CloseIdleSessionsAsync()
    {
        foreach (var sessions in _sessions.Values)
        {
            try
            {
                await sessions.Value.CloseIdleAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Closing idle SMTP sessions of {Mailbox} failed.", sessions.Value.Mailbox);
            }
        }
    }

    private MailboxSessions SessionsOf(string mailbox) =>
        _sessions.GetOrAdd(mailbox, key => new Lazy<MailboxSessions>(() => new MailboxSessions(key, _options, _timeProvider, _logger))).Value;

    // Only a digest of the token is kept with an idle session: enough to notice it changed.
    private static string Fingerprint(string accessToken) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(accessToken)));

    private sealed class GrantedLease : RateLimitLease
    {
        public static readonly GrantedLease Instance = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

/// <summary>A back-off the server caused: until when, why, and whether this report started it.</summary>
public sealed record ThrottlingReport(DateTimeOffset Until, string Reason, bool IsNew);

/// <summary>The mailbox used up its rolling-day recipient budget; the request waits in the queue and is retried later.</summary>
public sealed class SendBudgetExhaustedException(string mailbox, int recipients, int perDay, long available, TimeSpan retryAfter)
    : MailboxNotNowException(mailbox,
        $"{mailbox} has sent to its limit of {perDay} recipients in the last 24 hours (setting Mail:Governor:RecipientsPerDay, Exchange Online's own limit); " +
        $"this message needs {recipients} and {Math.Max(0, available)} are left. It stays in the queue and is retried as the window frees up.", retryAfter);
