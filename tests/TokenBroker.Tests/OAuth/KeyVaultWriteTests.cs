using System.Net;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>
/// Key Vault keeps every PUT as a version and throttles writes: the front door writes only what changed.
/// Counted on the Key Vault REST double behind the real SecretClient.
/// </summary>
public sealed class KeyVaultWriteTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"user-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    [Fact]
    public async Task A_consent_writes_the_mailbox_once_per_step_and_the_token_cache_once()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.KeyVault);
        var mailbox = NewUser();

        var callback = await host.SignInAsync(mailbox);
        var afterStart = KeyVaultTestStore.CountWrites(host.Vault!);
        var (status, page) = await host.CompleteAsync(callback);
        var afterCallback = KeyVaultTestStore.CountWrites(host.Vault!);

        Assert.True(status == HttpStatusCode.OK, page);
        Assert.Equal((1, 0), afterStart);
        Assert.Equal((2, 1), afterCallback);
    }

    [Fact]
    public async Task A_silent_call_served_from_the_cache_writes_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.KeyVault);
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        var before = host.Vault!.Vault.TotalPutCount;

        await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(before, host.Vault.Vault.TotalPutCount);
    }

    [Fact]
    public async Task Renewing_an_access_token_on_demand_writes_nothing()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.KeyVault);
        var mailbox = NewUser();
        await host.Identity.SetTokenLifetimeAsync(120);
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await host.Identity.SetTokenLifetimeAsync(3600);
        var before = KeyVaultTestStore.CountWrites(host.Vault!);

        await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        var after = KeyVaultTestStore.CountWrites(host.Vault!);

        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task An_access_token_held_in_memory_is_handed_out_again_without_a_store_read_or_a_token_request()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.KeyVault);
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        var first = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);
        int requestsBefore;
        lock (host.Vault!.Requests) requestsBefore = host.Vault.Requests.Count;

        var second = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(first.AccessToken, second.AccessToken);
        lock (host.Vault.Requests) Assert.Equal(requestsBefore, host.Vault.Requests.Count);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task Concurrent_callers_for_one_mailbox_share_one_token_request()
    {
        await using var host = await OAuthTestHost.StartAsync(TestStore.KeyVault);
        var mailbox = NewUser();
        await host.Identity.SetTokenLifetimeAsync(120); // near expiry at once: the first caller must refresh
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await host.Identity.SetTokenLifetimeAsync(3600);

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Tokens.GetAccessTokenAsync(mailbox, Ct)));

        Assert.Single(tokens.Select(t => t.AccessToken).Distinct());
        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }
}
