using TokenBroker.Jobs.Refresh;
using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.OAuth.Support;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Jobs.Refresh;

/// <summary>
/// What the sweep costs the Key Vault store (real SecretClient against the REST double) and how its back-off lives
/// in the store: due mailboxes are found from the listing's tags, and only they are read.
/// </summary>
public sealed class RefreshSweepStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void ForgetRequests(KeyVaultDoubleServer vault)
    {
        lock (vault.Requests) vault.Requests.Clear();
    }

    /// <summary>Paths of the single-secret reads of mailbox records (GET /secrets/mbx-…), listing pages excluded.</summary>
    private static List<string> MailboxValueReads(KeyVaultDoubleServer vault)
    {
        lock (vault.Requests)
            return vault.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/secrets/" + SecretNaming.MailboxPrefix, StringComparison.Ordinal))
                .Select(r => r.Path).ToList();
    }

    private static async Task<string> SecretNameOfAsync(OAuthTestHost host, string address)
    {
        foreach (var summary in await host.Registry.ListSummariesAsync(Ct))
            if ((await host.Registry.GetAsync(summary, Ct))!.Value.Address == address) return summary.Id;
        throw new InvalidOperationException($"{address} is not registered.");
    }

    [Fact]
    public async Task A_sweep_with_nothing_due_reads_no_mailbox_secret_value()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        for (var i = 0; i < 3; i++) await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        ForgetRequests(host.Vault!);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal((3, 0), (result.Registered, result.Due));
        Assert.Empty(MailboxValueReads(host.Vault!));
        lock (host.Vault!.Requests)
            Assert.All(host.Vault.Requests, r => Assert.Equal(("GET", "/secrets"), (r.Method, r.Path)));
    }

    [Fact]
    public async Task Only_the_due_mailbox_is_read_and_refreshed()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var due = await RefreshTesting.ConnectDueAsync(host);
        await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var dueSecret = await SecretNameOfAsync(host, due);
        await host.Identity.SetTokenLifetimeAsync(3600);
        ForgetRequests(host.Vault!);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal((3, 1, 1), (result.Registered, result.Due, result.Refreshed));
        Assert.Equal(["/secrets/" + dueSecret], MailboxValueReads(host.Vault!).Distinct());
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.True((await host.Registry.GetAsync(due, Ct))!.Value.AccessTokenExpiresAt > host.Clock.GetUtcNow().AddMinutes(30));
    }

    [Fact]
    public async Task A_keep_alive_costs_one_record_read_one_version_check_and_one_write_and_no_token_cache_access()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        var secret = await SecretNameOfAsync(host, mailbox);
        await host.Get<RefreshSweep>().RunAsync(Ct); // the first one after the consent also reads the consent's token cache
        host.Clock.Advance(host.Get<Microsoft.Extensions.Options.IOptions<RefreshOptions>>().Value.Interval);
        ForgetRequests(host.Vault!);
        var putsBefore = host.Vault!.Vault.TotalPutCount;

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        Assert.Equal(["/secrets/" + secret, "/secrets/" + secret], MailboxValueReads(host.Vault));
        Assert.Equal(1, host.Vault.Vault.TotalPutCount - putsBefore);
        lock (host.Vault.Requests)
            Assert.DoesNotContain(host.Vault.Requests, r => r.Path.StartsWith("/secrets/" + SecretNaming.TokenCachePrefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_mailbox_locks_a_keep_alive_costs_one_record_read_and_one_write()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVaultWithLocks);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        var secret = await SecretNameOfAsync(host, mailbox);
        await host.Get<RefreshSweep>().RunAsync(Ct);
        host.Clock.Advance(host.Get<Microsoft.Extensions.Options.IOptions<RefreshOptions>>().Value.Interval);
        ForgetRequests(host.Vault!);
        var putsBefore = host.Vault!.Vault.TotalPutCount;

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Refreshed);
        Assert.Equal(["/secrets/" + secret], MailboxValueReads(host.Vault));
        Assert.Equal(1, host.Vault.Vault.TotalPutCount - putsBefore);
    }

    [Fact]
    public async Task A_transient_failure_is_recorded_with_its_back_off_in_one_mailbox_write()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        var secret = await SecretNameOfAsync(host, mailbox);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);
        var writesBefore = host.Vault!.Vault.PutCount(secret);

        var result = await host.Get<RefreshSweep>().RunAsync(Ct);

        Assert.Equal(1, result.Failed);
        Assert.Equal(1, host.Vault.Vault.PutCount(secret) - writesBefore);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Contains("HTTP 500", saved.LastError);
        Assert.Equal(new MailboxBackoff(host.Clock.GetUtcNow() + new RefreshOptions().InitialBackoff, 1), saved.Backoff);
        Assert.Equal(host.Vault.Vault.Get(secret, null).Tags["nextAttemptAt"],
            (host.Clock.GetUtcNow() + new RefreshOptions().InitialBackoff).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_back_off_recorded_by_one_instance_is_honoured_by_a_restarted_or_second_one()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);
        await host.Get<RefreshSweep>().RunAsync(Ct);
        var callsAfterTheFailure = await host.Identity.TokenRequestCountAsync("refresh_token");

        var restarted = await RefreshTesting.OtherInstanceSweep(host).RunAsync(Ct);

        Assert.Equal((1, 0), (restarted.Registered, restarted.Due));
        Assert.Equal(callsAfterTheFailure, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.NotNull((await host.Registry.GetAsync(mailbox, Ct))!.Value.Backoff);
    }

    [Fact]
    public async Task After_the_back_off_a_new_instance_refreshes_the_mailbox_and_clears_it()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);
        await host.Get<RefreshSweep>().RunAsync(Ct);
        await host.Identity.SetTokenLifetimeAsync(3600);
        host.Clock.Advance(new RefreshOptions().InitialBackoff);

        var retried = await RefreshTesting.OtherInstanceSweep(host).RunAsync(Ct);

        Assert.Equal(1, retried.Refreshed);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Null(saved.Backoff);
        Assert.Null(saved.LastError);
        Assert.Null(Assert.Single(await host.Registry.ListSummariesAsync(Ct)).NextAttemptAt);
    }

    [Fact]
    public async Task A_second_transient_failure_doubles_the_stored_back_off()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        var initial = new RefreshOptions().InitialBackoff;
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);
        await host.Get<RefreshSweep>().RunAsync(Ct);
        host.Clock.Advance(initial);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);

        var second = await RefreshTesting.OtherInstanceSweep(host).RunAsync(Ct);

        Assert.Equal(1, second.Failed);
        Assert.Equal(new MailboxBackoff(host.Clock.GetUtcNow() + 2 * initial, 2), (await host.Registry.GetAsync(mailbox, Ct))!.Value.Backoff);
    }

    [Fact]
    public async Task A_token_request_outside_the_timer_that_fails_transiently_leaves_the_back_off_alone()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        // 4 minutes: inside MSAL's own 5-minute window, so an ordinary token request goes to the identity provider.
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 240);
        await host.Identity.FailNextTokenCallAsync("refresh_token", "server_error", status: 500, count: 2);

        await Assert.ThrowsAsync<TokenBroker.OAuth.MailboxTokenUnavailableException>(() => host.Tokens.GetAccessTokenAsync(mailbox, Ct));

        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Contains("HTTP 500", saved.LastError);
        Assert.Null(saved.Backoff);
    }

    [Fact]
    public async Task Two_instances_sweeping_the_same_Key_Vault_at_once_leave_the_mailbox_connected_with_a_usable_token()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVault);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.SetTokenLifetimeAsync(3600);

        var results = await Task.WhenAll(host.Get<RefreshSweep>().RunAsync(Ct), RefreshTesting.OtherInstanceSweep(host).RunAsync(Ct));

        Assert.All(results, r => Assert.Equal(0, r.Failed));
        Assert.InRange(results.Sum(r => r.Refreshed), 1, 2);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Null(saved.LastError);
        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
    }

    [Fact]
    public async Task Two_instances_sweeping_with_mailbox_locks_at_once_redeem_the_refresh_token_once()
    {
        await using var host = await RefreshTesting.StartAsync(TestStore.KeyVaultWithLocks);
        var mailbox = await RefreshTesting.ConnectDueAsync(host);
        await host.Identity.SetTokenLifetimeAsync(3600);
        var before = await host.Identity.TokenRequestCountAsync("refresh_token");

        var results = await Task.WhenAll(host.Get<RefreshSweep>().RunAsync(Ct), RefreshTesting.OtherInstanceSweep(host).RunAsync(Ct));

        Assert.Equal((1, 1, 0), (results.Sum(r => r.Refreshed), results.Sum(r => r.Skipped), results.Sum(r => r.Failed)));
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token") - before);
        Assert.Equal(MailboxState.Connected, (await host.Registry.GetAsync(mailbox, Ct))!.Value.State);
    }
}
