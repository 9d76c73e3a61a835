using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.OAuth;

namespace TokenBroker.Jobs.Mail.Governor;

/// <summary>
/// Keeps each sending mailbox within Exchange Online's limits (<see cref="MailGovernorOptions"/>) and reuses its
/// authenticated SMTP sessions: consecutive messages of a mailbox go over one connection and one AUTH.
/// </summary>
public sealed class SendGovernor : IAsyncDisposable
{
    private readonly MailGovernorOptions _options;
    private readonly ISmtpSessionFactory _factory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<MailboxSendLimits>> _limits = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<MailboxSessions>> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ITimer _idleSweep;

    public SendGovernor(MailGovernorOptions options, ISmtpSessionFactory factory, TimeProvider timeProvider, ILogger<SendGovernor>? logger = null)
    {
        options.Validate();
        _options = options;
        _factory = factory;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<SendGovernor>.Instance;
        _idleSweep = timeProvider.CreateTimer(_ => _ = CloseIdleSessionsAsync(), null, options.IdleConnectionTimeout, options.IdleConnectionTimeout);
    }

    /// <summary>Takes <paramref name="recipients"/> from the mailbox's rolling-day budget.</summary>
    /// <exception cref="SendBudgetExhaustedException">The budget is spent; the message must wait (transient).</exception>
    public void TakeRecipients(string mailbox, int recipients)
    {
        var limits = LimitsOf(mailbox);
        if (!limits.TryTakeRecipients(recipients))
            throw new SendBudgetExhaustedException(mailbox, recipients, limits.RecipientsPerDay, limits.AvailableRecipients);
    }

    /// <summary>Waits until the mailbox may send one more message within its per-minute limit.</summary>
    public Task<RateLimitLease> WaitForMessageSlotAsync(string mailbox, CancellationToken cancellationToken = default) =>
        LimitsOf(mailbox).AcquireMessageAsync(cancellationToken);

    /// <summary>
    /// An authenticated session for <paramref name="token"/>'s mailbox: an idle one (checked with RSET) when its token
    /// is still the current one, else a new connection. Waits while the mailbox already has MaxConnections rented.
    /// </summary>
    public async Task<PooledSmtpSession> RentSessionAsync(string mailbox, MailEndpoint endpoint, MailboxAccessToken token, string mechanismName = "xoauth2", CancellationToken cancellationToken = default)
    {
        var sessions = SessionsOf(mailbox);
        var slot = await sessions.AcquireSlotAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var fingerprint = Fingerprint(token.AccessToken);
            if (await sessions.TakeIdleAsync(fingerprint, cancellationToken).ConfigureAwait(false) is { } idle)
                return new PooledSmtpSession(sessions, slot, idle.Client, idle.TokenFingerprint, idle.TokenExpiresOn, reused: true);
            var mechanism = OAuthMechanisms.CreateSasl(mechanismName, token.User, token.AccessToken, endpoint);
            var client = await _factory.OpenAsync(endpoint, mechanism, cancellationToken).ConfigureAwait(false);
            return new PooledSmtpSession(sessions, slot, client, fingerprint, token.ExpiresOn, reused: false);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <summary>Idle sessions kept for <paramref name="mailbox"/> (for tests and diagnostics).</summary>
    public int IdleSessionCount(string mailbox) => _sessions.TryGetValue(mailbox, out var sessions) ? sessions.Value.IdleCount : 0;

    public async ValueTask DisposeAsync()
    {
        _idleSweep.Dispose();
        foreach (var sessions in _sessions.Values)
            await sessions.Value.DisposeAsync().ConfigureAwait(false);
        foreach (var limits in _limits.Values)
            limits.Value.Dispose();
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

    private MailboxSendLimits LimitsOf(string mailbox) =>
        _limits.GetOrAdd(mailbox, _ => new Lazy<MailboxSendLimits>(() => new MailboxSendLimits(_options, _timeProvider))).Value;

    private MailboxSessions SessionsOf(string mailbox) =>
        _sessions.GetOrAdd(mailbox, key => new Lazy<MailboxSessions>(() => new MailboxSessions(key, _options, _timeProvider, _logger))).Value;

    // Only a digest of the token is kept with an idle session: enough to notice it changed.
    private static string Fingerprint(string accessToken) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(accessToken)));
}

/// <summary>The mailbox used up its rolling-day recipient budget; the request waits in the queue and is retried later.</summary>
public sealed class SendBudgetExhaustedException(string mailbox, int recipients, int perDay, long available)
    : Exception($"{mailbox} has sent to its limit of {perDay} recipients in the last 24 hours (setting Mail:Governor:RecipientsPerDay, Exchange Online's own limit); " +
                $"this message needs {recipients} and {available} are left. It stays in the queue and is retried as the window frees up.")
{
    public string Mailbox { get; } = mailbox;
}
