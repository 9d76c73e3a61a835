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
    public async Task A_mailbox_whose_token_expires_within_the_margin_is_refreshed()
    {
        await using var host = await RefreshTesting.StartAsync();
        // 7 minutes: inside the 10-minute margin, outside MSAL's own 5-minute refresh window.
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
        var before = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        await host.Identity.SetTokenLifetimeAsync(3600);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        var after = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.True(after.ExpiresOn > before.ExpiresOn.AddMinutes(30));
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(after.ExpiresOn, saved.AccessTokenExpiresAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(host.Clock.GetUtcNow(), saved.LastRefreshAt);
    }

    [Fact]
    public async Task A_mailbox_with_a_fresh_token_is_left_alone_without_a_call_or_a_store_write()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var version = (await host.Registry.GetAsync(mailbox, Ct))!.Version;

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(0, result.Due);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Equal(version, (await host.Registry.GetAsync(mailbox, Ct))!.Version);
    }

    [Fact]
    public async Task A_mailbox_not_refreshed_for_a_day_is_force_refreshed_though_its_token_is_fresh()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var stored = (await host.Registry.GetAsync(mailbox, Ct))!;
        await host.Registry.SaveAsync(stored.Value with { LastRefreshAt = host.Clock.GetUtcNow().AddHours(-25) }, stored.Version, Ct);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Equal(host.Clock.GetUtcNow(), (await host.Registry.GetAsync(mailbox, Ct))!.Value.LastRefreshAt);
    }

    [Fact]
    public async Task A_refresh_token_expired_by_inactivity_moves_the_mailbox_to_NeedsConsent_with_one_event()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
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
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
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
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
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
    public async Task An_expired_client_secret_stops_the_sweep_and_marks_every_mailbox_BrokenCredential_with_one_event()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.MaxConcurrency = 1);
        var first = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
        var second = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
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
    public async Task Two_instances_sweeping_the_same_mailbox_at_once_leave_it_connected_with_a_usable_token()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
        await host.Identity.SetTokenLifetimeAsync(3600);
        var otherInstance = OtherInstanceSweep(host);

        var results = await Task.WhenAll(host.Get<RefreshSweep>().RunAsync(Ct), otherInstance.RunAsync(Ct));

        Assert.All(results, r => Assert.Equal(0, r.Failed));
        Assert.InRange(results.Sum(r => r.Refreshed), 1, 2);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Null(saved.LastError);
        var calls = await host.Identity.TokenRequestCountAsync("refresh_token");
        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        Assert.Equal(calls, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.Equal(token.ExpiresOn, saved.AccessTokenExpiresAt!.Value, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Key_Vault_throttling_during_a_sweep_is_waited_out()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
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
            mailboxes.Add(await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420));

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal((16, 0), (result.Refreshed, result.Failed));
        foreach (var mailbox in mailboxes)
            Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }

    [Fact]
    public async Task Each_refresh_waits_for_its_random_jitter_before_calling_the_identity_provider()
    {
        await using var host = await RefreshTesting.StartAsync(refresh: o => o.Jitter = TimeSpan.FromMinutes(1));
        await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 420);
        var sweep = new RefreshSweep(host.Registry, host.Tokens, host.Get<IOptions<RefreshOptions>>(), host.Clock,
            new Random(42), host.Get<ILoggerFactory>().CreateLogger<RefreshSweep>());
        var start = host.Clock.GetUtcNow();

        var running = sweep.RunAsync(Ct);
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            limit.CancelAfter(TimeSpan.FromSeconds(30));
            while (!host.Clock.PendingDueTimes.Any(due => due > start && due <= start + TimeSpan.FromMinutes(1)))
                await Task.Delay(10, limit.Token);
        }
        var jitterDue = host.Clock.PendingDueTimes.Where(due => due > start).Min();
        var callsBeforeTheJitter = await host.Identity.TokenRequestCountAsync("refresh_token");
        host.Clock.Advance(jitterDue - start);
        var result = await running;

        Assert.Equal(0, callsBeforeTheJitter);
        Assert.Equal(1, result.Refreshed);
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    private static RefreshSweep OtherInstanceSweep(OAuthTestHost host) => RefreshTesting.OtherInstanceSweep(host);
}
