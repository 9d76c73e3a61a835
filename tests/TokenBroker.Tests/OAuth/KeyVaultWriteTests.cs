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
    public async Task A_silent_refresh_writes_the_rotated_cache_once_and_the_mailbox_once()
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
        Assert.Equal((before.Mailboxes + 1, before.TokenCaches + 1), after);
    }
}
