using System.Net;
using TokenBroker.Mail.Tokens;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>The whole delegated consent against the real identity server, on both stores.</summary>
public sealed class ConsentSuccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"user-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    [Theory]
    [InlineData(TestStore.Embedded)]
    [InlineData(TestStore.KeyVault)]
    public async Task Consent_stores_the_mailbox_connected_with_its_tokens(TestStore store)
    {
        await using var host = await OAuthTestHost.StartAsync(store);
        var mailbox = NewUser();

        var callback = await host.SignInAsync(mailbox, "imap,smtp");
        var (status, page) = await host.CompleteAsync(callback);

        Assert.True(status == HttpStatusCode.OK, page);
        Assert.Contains("Mailbox connected", page);
        var saved = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, saved.State);
        Assert.Equal(MailboxMode.Delegated, saved.Mode);
        Assert.Equal(MailProtocols.Imap | MailProtocols.Smtp, saved.Protocols);
        Assert.Null(saved.PendingConsent);
        Assert.Equal(host.Tenant, saved.TenantId);
        Assert.NotNull(saved.HomeAccountId);
        Assert.EndsWith("." + host.Tenant, saved.HomeAccountId);
        Assert.Contains("IMAP.AccessAsUser.All", saved.GrantedScopes);
        Assert.Contains("SMTP.Send", saved.GrantedScopes);
        Assert.True(saved.AccessTokenExpiresAt > DateTimeOffset.UtcNow);
        var cache = await host.TokenCaches.ReadAsync(saved.HomeAccountId!, Ct);
        Assert.NotNull(cache);
        Assert.True(cache.Value.Length > 100);
    }

    [Fact]
    public async Task A_silent_call_after_consent_returns_an_exchange_token_for_the_mailbox_from_the_cache()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox, "imap"));
        var redemptions = await host.Identity.TokenRequestCountAsync("authorization_code");

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(mailbox, token.User);
        var claims = AccessTokenClaims.Parse(token.AccessToken);
        Assert.Equal(MailScopes.ExchangeResource, claims.Audience);
        Assert.Contains("IMAP.AccessAsUser.All", claims.Scopes);
        Assert.Equal(mailbox, claims.GetString("email"));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.Equal(1, redemptions);
        Assert.Equal(0, await host.Identity.TokenRequestCountAsync("refresh_token"));
    }

    [Fact]
    public async Task A_silent_call_near_expiry_refreshes_with_the_refresh_token_and_keeps_the_mailbox_connected()
    {
        await using var host = await OAuthTestHost.StartAsync();
        var mailbox = NewUser();
        // MSAL refreshes tokens with less than five minutes left: a two-minute lifetime is "near expiry" at once.
        await host.Identity.SetTokenLifetimeAsync(120);
        await host.CompleteAsync(await host.SignInAsync(mailbox, "imap"));
        var first = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        await host.Identity.SetTokenLifetimeAsync(3600);
        host.Clock.Advance(TimeSpan.FromMinutes(1));

        var token = await host.Tokens.GetAccessTokenAsync(mailbox, Ct);

        Assert.Equal(1, await host.Identity.TokenRequestCountAsync("refresh_token"));
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        // A renewed access token is kept in memory, not stored: the record is as the consent left it.
        var after = (await host.Registry.GetAsync(mailbox, Ct))!.Value;
        Assert.Equal(MailboxState.Connected, after.State);
        Assert.Equal(first.LastRefreshAt, after.LastRefreshAt);
    }
}
