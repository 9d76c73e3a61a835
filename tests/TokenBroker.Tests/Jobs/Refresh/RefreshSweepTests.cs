using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Jobs.Refresh;

/// <summary>The refresh sweep against the real identity server, with mailboxes connected through the real consent flow.</summary>
public sealed class RefreshSweepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_mailbox_kept_alive_an_interval_ago_has_its_refresh_token_redeemed_and_stored_with_the_record()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(host.Clock.GetUtcNow(), saved.LastRefreshAt);
        Assert.True(saved.Tokens!.IsCurrentFor(saved));
        Assert.True(saved.AccessTokenExpiresAt > host.Clock.GetUtcNow().AddMinutes(30));
    }

    [Fact]
    public async Task A_mailbox_kept_alive_within_the_interval_is_left_alone_though_its_access_token_is_about_to_expire()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 120);
        var version = (await host.Registry.GetAsync(mailbox, Ct))!.Version;

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(0, result.Due);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Equal(version, (await host.Registry.GetAsync(mailbox, Ct))!.Version);
    }

    [Fact]
    public async Task A_mailbox_comes_due_at_its_own_point_within_the_spread_before_the_interval()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => (o.Interval, o.Spread) = (TimeSpan.FromHours(20), TimeSpan.FromHours(2)));
        await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var sweep = host.Get<RefreshSweep>();

        host.Clock.Advance(TimeSpan.FromHours(18) - TimeSpan.FromSeconds(1));
        var beforeTheSpread = await sweep.RunAsync(Ct);
        host.Clock.Advance(TimeSpan.FromHours(2));
        var atTheInterval = await sweep.RunAsync(Ct);

        Assert.Equal(0, beforeTheSpread.Due);
        Assert.Equal(1, atTheInterval.Refreshed);
    }

    [Fact]
    public async Task A_refresh_token_expired_by_inactivity_moves_the_mailbox_to_NeedsConsent_with_one_event()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 700082);

        var first = await RefreshTesting.RunTimerAsync(host, Ct);
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await RefreshTesting.RunTimerAsync(host, Ct);

        var change = Assert.Single(first);
        Assert.Empty(second);
        Assert.Equal(("mailbox.state-changed", mailbox, "Connected", "NeedsConsent"), (change.Type, change.Mailbox, change.From, change.To));
        Assert.Contains("AADSTS700082", change.Reason);
        Assert.Contains("reconnect", change.Reason);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.NeedsConsent, saved.State);
        Assert.Contains("not used for too long", saved.StateReason);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task Identity_provider_errors_keep_the_mailbox_connected_with_its_last_error_and_it_is_retried_after_the_back_off()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        // MSAL retries a 5xx once by itself: both attempts fail.
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);

        var failed = await RefreshTesting.RunTimerAsync(host, Ct);
        var failedState = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        var duringBackOff = await host.Get<RefreshSweep>().RunAsync(Ct);
        host.Clock.Advance(new RefreshOptions().InitialBackoff);
        var retried = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Empty(failed);
        Assert.Equal(MailboxState.Connected, failedState.State);
        Assert.Contains("HTTP 500", failedState.LastError);
        Assert.Equal(0, duringBackOff.Due);
        Assert.Equal(1, retried.Refreshed);
        var healed = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, healed.State);
        Assert.Null(healed.LastError);
    }

    [Fact]
    public async Task Throttling_by_the_identity_provider_backs_the_mailbox_off_for_its_Retry_After()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        using var control = new TokenBroker.Testing.IdentityServerControl();
        await control.FailNextTokenRequestAsync(429, "temporarily_unavailable", grantType: "refresh_token", clientId: host.Identity.ClientId,
            count: 2, retryAfter: TimeSpan.FromHours(2), cancellationToken: Ct);

        var start = host.Clock.GetUtcNow();

        var throttled = await host.Get<RefreshSweep>().RunAsync(Ct);
        host.Clock.Advance(TimeSpan.FromHours(1));
        var withinRetryAfter = await host.Get<RefreshSweep>().RunAsync(Ct);

        // MSAL also refuses the same request until Retry-After on its own (real) clock, so the test stops here.
        Assert.Equal(1, throttled.Failed);
        Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
        Assert.Equal(start + TimeSpan.FromHours(2), (await host.Registry.GetAsync(mailbox, Ct))!.Value.Backoff!.NextAttemptAt);
        Assert.Equal(0, withinRetryAfter.Due);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_Retry_After_from_the_identity_provider_holds_the_next_keep_alive_until_it_has_passed()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 1);
        await RefreshTesting.ConnectDueAsync(host);
        await RefreshTesting.ConnectDueAsync(host);
        using var control = new TokenBroker.Testing.IdentityServerControl();
        await control.FailNextTokenRequestAsync(429, "temporarily_unavailable", grantType: "refresh_token", clientId: host.Identity.ClientId,
            count: 1, retryAfter: TimeSpan.FromSeconds(1), cancellationToken: Ct);
        var resumeAt = host.Clock.GetUtcNow() + TimeSpan.FromSeconds(1);

        var running = host.Get<RefreshSweep>().RunAsync(Ct);
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            while (!host.Clock.PendingDueTimes.Contains(resumeAt))
                await Task.Delay(10, limit.Token);
        }
        var callsDuringThePause = await host.Identity.TokenRequestCountAsync("refresh_token");
        host.Clock.Advance(TimeSpan.FromSeconds(1));
        var result = await running;

        Assert.Equal(1, callsDuringThePause);
        Assert.Equal((1, 1), (result.Refreshed, result.Failed));
        Assert.Equal(2, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task An_expired_client_secret_stops_the_sweep_and_marks_every_mailbox_BrokenCredential_with_one_event()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 1);
        var first = await RefreshTesting.ConnectDueAsync(host);
        var second = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_client", errorCode: 7000222, status: 401);

        var events = await RefreshTesting.RunTimerAsync(host, Ct);

        var change = Assert.Single(events);
        Assert.Equal("BrokenCredential", change.To);
        Assert.Contains("AADSTS7000222", change.Reason);
        Assert.Equal(new[] { first, second }.Order(), change.Mailboxes!.Order());
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        foreach (var mailbox in new[] { first, second })
            Assert.Equal(MailboxState.BrokenCredential, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task A_keep_alive_waiting_for_a_slot_when_the_credential_breaks_records_no_failure_of_its_own()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 1);
        var mailboxes = new[] { await RefreshTesting.ConnectDueAsync(host), await RefreshTesting.ConnectDueAsync(host) };
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_client", errorCode: 7000222, status: 401);

        await RefreshTesting.RunTimerAsync(host, Ct);

        Assert.Single(host.Logs.Lines, line => line.Contains("No token for", StringComparison.Ordinal));
        foreach (var mailbox in mailboxes)
            Assert.Null((await host.Registry.GetAsync(mailbox, Ct))!.Value.Backoff);
    }

    [Fact]
    public async Task Two_instances_sweeping_the_same_mailbox_at_once_leave_it_connected_with_a_usable_token()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.SetTokenLifetimeAsync(3600);
        var otherInstance = OtherInstanceSweep(host);

        var results = await Task.WhenAll(host.Get<RefreshSweep>().RunAsync(Ct), otherInstance.RunAsync(Ct));

        Assert.All(results, r => Assert.Equal(0, r.Failed));
        Assert.InRange(results.Sum(r => r.Refreshed), 1, 2);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Null(saved.LastError);
        Assert.True(saved.Tokens!.IsCurrentFor(saved));
        var token = await RefreshTesting.OtherInstanceTokens(host).GetAccessTokenAsync(mailbox, Ct);
        Assert.True(token.ExpiresOn > host.Clock.GetUtcNow().AddMinutes(30));
    }

    [Fact]
    public async Task Key_Vault_throttling_during_a_sweep_is_waited_out()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.SetTokenLifetimeAsync(3600);
        host.Vault!.ThrottleNextRequests(2, TimeSpan.FromSeconds(1));

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.True(saved.AccessTokenExpiresAt > DateTimeOffset.UtcNow.AddMinutes(30));
    }

    [Fact]
    public async Task Concurrent_refreshes_of_different_mailboxes_do_not_disturb_each_others_token_caches()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 8);
        var mailboxes = new List<string>();
        for (var i = 0; i < 16; i++)
            mailboxes.Add(await RefreshTesting.ConnectDueAsync(host));

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal((16, 0), (result.Refreshed, result.Failed));
        foreach (var mailbox in mailboxes)
            Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task The_identity_provider_sees_at_most_the_ceiling_of_token_requests_while_more_keep_alives_use_the_store()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 2);
        for (var i = 0; i < 12; i++)
            await RefreshTesting.ConnectDueAsync(host);
        var counting = new CountingKeepAlives(host.Tokens);
        var sweep = new RefreshSweep(host.Registry, counting, host.Get<IOptions<RefreshOptions>>(), host.Clock, new Random(3),
            host.Get<ILoggerFactory>().CreateLogger<RefreshSweep>());

        var result = await sweep.RunAsync(Ct);

        Assert.Equal((12, 0), (result.Refreshed, result.Failed));
        Assert.InRange(counting.MostTokenRequests, 1, 2);
        Assert.InRange(counting.MostKeepAlives, 3, 4);
    }

    [Fact]
    public async Task Due_mailboxes_sharing_a_lock_are_held_one_after_the_other()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 2);
        for (var i = 0; i < 12; i++)
            await RefreshTesting.ConnectDueAsync(host);
        var grouped = new GroupedHolds(host.Registry);
        var sweep = new RefreshSweep(grouped, host.Tokens, host.Get<IOptions<RefreshOptions>>(), host.Clock, new Random(5),
            host.Get<ILoggerFactory>().CreateLogger<RefreshSweep>());

        var result = await sweep.RunAsync(Ct);

        Assert.Equal(12, result.Refreshed);
        var groupsInHoldOrder = grouped.Held.Select(GroupedHolds.GroupOf).ToList();
        var changes = groupsInHoldOrder.Zip(groupsInHoldOrder.Skip(1)).Count(pair => pair.First != pair.Second);
        Assert.Equal(groupsInHoldOrder.Distinct().Count() - 1, changes);
    }

    private static RefreshSweep OtherInstanceSweep(OAuthTestHost host) => RefreshTesting.OtherInstanceSweep(host);

    /// <summary>A store whose mailboxes share three locks, recording the order of holds.</summary>
    private sealed class GroupedHolds(IMailboxRegistry inner) : IMailboxRegistry
    {
        public List<MailboxSummary> Held { get; } = [];

        public static int GroupOf(MailboxSummary summary) => summary.Id.Sum(c => c) % 3;

        public int HoldGroupOf(MailboxSummary summary) => GroupOf(summary);

        public Task<HeldMailbox?> HoldAsync(MailboxSummary summary, CancellationToken cancellationToken = default)
        {
            lock (Held) Held.Add(summary);
            return inner.HoldAsync(summary, cancellationToken);
        }

        public Task<Versioned<Mailbox>?> GetAsync(string address, CancellationToken cancellationToken = default) => inner.GetAsync(address, cancellationToken);

        public Task<IReadOnlyList<Versioned<Mailbox>>> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public Task<IReadOnlyList<MailboxSummary>> ListSummariesAsync(CancellationToken cancellationToken = default) => inner.ListSummariesAsync(cancellationToken);

        public Task<Versioned<Mailbox>?> GetAsync(MailboxSummary summary, CancellationToken cancellationToken = default) => inner.GetAsync(summary, cancellationToken);

        public Task<Versioned<Mailbox>> SaveAsync(Mailbox mailbox, string? expectedVersion, CancellationToken cancellationToken = default) =>
            inner.SaveAsync(mailbox, expectedVersion, cancellationToken);

        public Task DeleteAsync(string address, CancellationToken cancellationToken = default) => inner.DeleteAsync(address, cancellationToken);
    }

    /// <summary>Counts keep-alives in progress and, through the gate the sweep hands over, token requests in progress.</summary>
    private sealed class CountingKeepAlives(IMailboxTokenProvider inner) : IMailboxTokenProvider, ITokenRequestGate
    {
        private ITokenRequestGate? _sweepGate;
        private int _keepAlives, _tokenRequests;

        public int MostKeepAlives { get; private set; }

        public int MostTokenRequests { get; private set; }

        public Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default) =>
            inner.GetAccessTokenAsync(mailboxAddress, cancellationToken);

        public Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default) =>
            inner.RefreshAsync(mailboxAddress, force, cancellationToken);

        public async Task<MailboxAccessToken> KeepAliveAsync(Versioned<Mailbox> current, ITokenRequestGate? gate, CancellationToken cancellationToken = default)
        {
            _sweepGate = gate ?? throw new InvalidOperationException("The sweep passed no gate.");
            Track(ref _keepAlives, v => MostKeepAlives = Math.Max(MostKeepAlives, v), +1);
            try
            {
                return await inner.KeepAliveAsync(current, this, cancellationToken);
            }
            finally
            {
                Track(ref _keepAlives, _ => { }, -1);
            }
        }

        public async ValueTask<ITokenRequestSlot> EnterAsync(CancellationToken cancellationToken)
        {
            var slot = await _sweepGate!.EnterAsync(cancellationToken);
            Track(ref _tokenRequests, v => MostTokenRequests = Math.Max(MostTokenRequests, v), +1);
            return new CountedSlot(slot, () => Track(ref _tokenRequests, _ => { }, -1));
        }

        private void Track(ref int counter, Action<int> record, int by)
        {
            lock (this) { counter += by; record(counter); }
        }

        private sealed class CountedSlot(ITokenRequestSlot inner, Action released) : ITokenRequestSlot
        {
            public void Refused(TokenFailure failure, TimeSpan? retryAfter) => inner.Refused(failure, retryAfter);

            public void Dispose()
            {
                released();
                inner.Dispose();
            }
        }
    }
}
