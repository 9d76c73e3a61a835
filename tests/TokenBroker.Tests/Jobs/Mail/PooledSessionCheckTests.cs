using System.Collections.Concurrent;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;
using TokenBroker.OAuth;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// When a pooled SMTP session is proven alive with RSET before its next message (against Dovecot submission): always
/// for the mail worker, which records its attempt first; not when a relay trusts a session that just finished a message.
/// </summary>
public sealed class PooledSessionCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class CommandLog : IMailProtocolLog
    {
        public ConcurrentQueue<string> Commands { get; } = new();

        public void Log(MailLogDirection direction, string line)
        {
            if (direction == MailLogDirection.Client) Commands.Enqueue(line);
        }

        public int Count(string command) => Commands.Count(c => c.StartsWith(command, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<(SendGovernor Governor, CommandLog Log, MailboxAccessToken Token, MailEndpoint Endpoint)> ConnectAsync(ManualTimeProvider clock)
    {
        var log = new CommandLog();
        var options = new MailClientOptions { ExtraTrustedRoots = [TestCertificates.CertificateAuthority], ProtocolLog = log };
        var governor = new SendGovernor(new MailGovernorOptions(), new SmtpSessionFactory(new SmtpSubmission(options)), clock);
        var mailbox = $"pool-check-{Guid.NewGuid():N}@{PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN")}";
        using var tokens = new MintingTokenProvider();
        var token = await tokens.GetAccessTokenAsync(mailbox, Ct);
        return (governor, log, token, MailEndpoint.Parse(MailJobsHarness.SubmissionUrl));
    }

    [Fact]
    public async Task A_session_that_just_finished_is_reused_without_RSET_by_a_caller_trusting_recent_use()
    {
        var clock = new ManualTimeProvider();
        var (governor, log, token, endpoint) = await ConnectAsync(clock);
        await using (governor)
        {
            SubmissionClient first;
            await using (var session = await governor.RentSessionAsync(token.User, endpoint, token, cancellationToken: Ct))
                first = session.Client;
            clock.Advance(TimeSpan.FromSeconds(1));

            await using var again = await governor.RentSessionAsync(token.User, endpoint, token, trustRecentUse: TimeSpan.FromSeconds(2), cancellationToken: Ct);

            Assert.Same(first, again.Client);
            Assert.True(again.WasReused);
            Assert.Equal(0, log.Count("RSET"));
        }
    }

    [Fact]
    public async Task A_session_idle_longer_than_the_trusted_time_is_proven_with_RSET_first()
    {
        var clock = new ManualTimeProvider();
        var (governor, log, token, endpoint) = await ConnectAsync(clock);
        await using (governor)
        {
            await using (await governor.RentSessionAsync(token.User, endpoint, token, cancellationToken: Ct)) { }
            clock.Advance(TimeSpan.FromSeconds(3));

            await using var again = await governor.RentSessionAsync(token.User, endpoint, token, trustRecentUse: TimeSpan.FromSeconds(2), cancellationToken: Ct);

            Assert.True(again.WasReused);
            Assert.Equal(1, log.Count("RSET"));
        }
    }

    [Fact]
    public async Task By_default_every_reused_session_is_proven_with_RSET_however_recent()
    {
        var clock = new ManualTimeProvider();
        var (governor, log, token, endpoint) = await ConnectAsync(clock);
        await using (governor)
        {
            await using (await governor.RentSessionAsync(token.User, endpoint, token, cancellationToken: Ct)) { }

            await using var again = await governor.RentSessionAsync(token.User, endpoint, token, cancellationToken: Ct);

            Assert.True(again.WasReused);
            Assert.Equal(1, log.Count("RSET"));
        }
    }
}
