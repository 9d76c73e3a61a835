using Microsoft.Extensions.Logging;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.Jobs.Refresh;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>Two broker instances keep the same mailbox alive at once (Functions scale-out); the store keeps one winner.</summary>
public sealed class ConcurrentRefreshTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MailboxTokenProvider Instance(OAuthTestHost host) =>
        new(host.Registry, host.Get<ConfidentialClientFactory>(), host.Clock, host.Get<ILoggerFactory>().CreateLogger<MailboxTokenProvider>());

    [Fact]
    public async Task A_keep_alive_that_loses_the_race_leaves_the_winners_tokens_stored_and_still_returns_a_valid_token()
    {
        await using var host = await RefreshTesting.StartAsync();
        var mailbox = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600);
        var bothRead = (await host.Registry.GetAsync(mailbox, Ct))!;

        var winnerToken = await Instance(host).KeepAliveAsync(bothRead, Ct);
        var winner = (await host.Registry.GetAsync(mailbox, Ct))!;
        var loserToken = await Instance(host).KeepAliveAsync(bothRead, Ct);

        var stored = (await host.Registry.GetAsync(mailbox, Ct))!;
        Assert.Equal(winner.Version, stored.Version);
        Assert.NotEqual(winnerToken.AccessToken, loserToken.AccessToken);
        Assert.True(loserToken.ExpiresOn > host.Clock.GetUtcNow().AddMinutes(30));
        var third = await Instance(host).GetAccessTokenAsync(mailbox, Ct);
        Assert.True(third.ExpiresOn > host.Clock.GetUtcNow().AddMinutes(30));
        Assert.Equal(MailboxState.Connected, stored.Value.State);
    }
}
