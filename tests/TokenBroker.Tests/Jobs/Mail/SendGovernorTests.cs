using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;
using TokenBroker.OAuth;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>The per-mailbox limits, driven by a manual clock: nothing sleeps.</summary>
public sealed class SendGovernorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly MailEndpoint Endpoint = new(MailProtocol.Smtp, MailSecurity.StartTls, "localhost", 587);
    private static readonly MailboxAccessToken Token = new("header.payload.signature", DateTimeOffset.UtcNow.AddHours(1), "a@contoso.com");

    /// <summary>Hands out unconnected clients: enough to count sessions without a server.</summary>
    private sealed class CountingFactory : ISmtpSessionFactory
    {
        public int Opened;
        public Task<SubmissionClient> OpenAsync(MailEndpoint endpoint, OAuthSaslMechanism mechanism, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Opened);
            return Task.FromResult(MailKitConnector.CreateSubmission(new MailClientOptions()));
        }
    }

    // No margin here: these tests are about the window itself (the margin has its own test).
    private static SendGovernor Create(ManualTimeProvider clock, MailGovernorOptions? options = null) =>
        new(options ?? new MailGovernorOptions { WindowMargin = TimeSpan.Zero }, new CountingFactory(), clock);

    [Fact]
    public async Task Thirty_messages_go_at_once_and_the_thirty_first_waits_for_the_minute_to_pass()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock);
        for (var i = 0; i < 30; i++)
            Assert.True((await governor.WaitForMessageSlotAsync("a@contoso.com", Ct)).IsAcquired);

        var thirtyFirst = governor.WaitForMessageSlotAsync("a@contoso.com", Ct);
        clock.Advance(TimeSpan.FromSeconds(50));
        Assert.False(thirtyFirst.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.True((await thirtyFirst.WaitAsync(TimeSpan.FromSeconds(5), Ct)).IsAcquired);
    }

    [Fact]
    public async Task Each_mailbox_has_its_own_message_rate()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock, new MailGovernorOptions { MessagesPerMinute = 1, WindowMargin = TimeSpan.Zero });
        await governor.WaitForMessageSlotAsync("a@contoso.com", Ct);

        var other = governor.WaitForMessageSlotAsync("b@contoso.com", Ct);

        Assert.True(other.IsCompletedSuccessfully);
        Assert.False(governor.WaitForMessageSlotAsync("a@contoso.com", Ct).IsCompleted);
    }

    [Fact]
    public async Task Recipients_over_the_daily_budget_are_refused_as_transient_until_the_day_slides()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock, new MailGovernorOptions { RecipientsPerDay = 100, WindowMargin = TimeSpan.Zero });
        await governor.TakeRecipientsAsync("a@contoso.com", 60, Ct);
        await governor.TakeRecipientsAsync("a@contoso.com", 40, Ct);

        var refused = await Assert.ThrowsAsync<SendBudgetExhaustedException>(() => governor.TakeRecipientsAsync("a@contoso.com", 1, Ct));
        Assert.Contains("limit of 100 recipients in the last 24 hours", refused.Message);
        Assert.Contains("stays in the queue", refused.Message);

        clock.Advance(TimeSpan.FromHours(23));
        await Assert.ThrowsAsync<SendBudgetExhaustedException>(() => governor.TakeRecipientsAsync("a@contoso.com", 1, Ct));
        clock.Advance(TimeSpan.FromHours(1));
        await governor.TakeRecipientsAsync("a@contoso.com", 100, Ct);
    }

    [Fact]
    public async Task A_fourth_connection_of_a_mailbox_waits_until_one_of_three_is_returned()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock);
        var sessions = new List<PooledSmtpSession>();
        for (var i = 0; i < 3; i++)
            sessions.Add(await governor.RentSessionAsync("a@contoso.com", Endpoint, Token, cancellationToken: Ct));

        var fourth = governor.RentSessionAsync("a@contoso.com", Endpoint, Token, cancellationToken: Ct);
        Assert.False(fourth.IsCompleted);
        await sessions[0].DisposeAsync();

        await using var granted = await fourth.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        foreach (var session in sessions.Skip(1)) await session.DisposeAsync();
    }

    [Fact]
    public async Task The_window_margin_keeps_a_message_back_until_the_window_and_its_margin_have_passed()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock, new MailGovernorOptions { MessagesPerMinute = 1, WindowMargin = TimeSpan.FromSeconds(2) });
        await governor.WaitForMessageSlotAsync("a@contoso.com", Ct);

        var second = governor.WaitForMessageSlotAsync("a@contoso.com", Ct);
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await second.WaitAsync(TimeSpan.FromSeconds(5), Ct)).IsAcquired);
    }

    [Fact]
    public async Task A_message_whose_turn_is_further_than_the_longest_wait_goes_back_to_the_queue_with_a_sentence()
    {
        var clock = new ManualTimeProvider();
        await using var governor = Create(clock, new MailGovernorOptions { MessagesPerMinute = 1, WindowMargin = TimeSpan.Zero, MaxWait = TimeSpan.FromSeconds(10) });
        await governor.WaitForMessageSlotAsync("a@contoso.com", Ct);

        var busy = await Assert.ThrowsAsync<MailboxBusyException>(() => governor.WaitForMessageSlotAsync("a@contoso.com", Ct));

        Assert.Contains("has sent its 1 messages per 00:01:00", busy.Message);
        Assert.Contains("goes back to the queue", busy.Message);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_with_the_setting_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MailGovernorOptions { MaxConnections = 0 }.Validate());
        Assert.Equal("Setting 'Mail:Governor:MaxConnections' must be at least 1; it is 0.", error.Message);
    }
}
