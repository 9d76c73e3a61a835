using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Queues;
using TokenBroker.Store;
using TokenBroker.Tests.Cli.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.OAuth;

/// <summary>The ops person sees recovery: a mailbox that was failing and works again puts mailbox.recovered on broker-events.</summary>
public sealed class MailboxRecoveredEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string NewUser() => $"recover-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";

    /// <summary>The OAuth host with the broker's event sink over the SQLite queue in its data folder, as serve registers it.</summary>
    private static Task<OAuthTestHost> StartAsync() => OAuthTestHost.StartAsync(configureServices: services =>
    {
        services.AddRefreshJob(new ConfigurationBuilder().Build());
        services.AddSingleton<IQueueTransport>(provider => new SqliteQueueTransport(new SqliteQueueOptions
        {
            DatabasePath = Path.Combine(provider.GetRequiredService<IConfiguration>()["TokenStore:DataDirectory"]!, QueueTransportRegistration.DatabaseFileName),
        }));
        services.AddSingleton<IBrokerEventSink, QueueBrokerEventSink>();
    });

    private static async Task<IReadOnlyList<BrokerEvent>> RecoveredAsync(OAuthTestHost host) =>
        [.. (await BrokerEventsQueue.ReadAsync(host.DataDirectory, Ct)).Where(e => e.Type == BrokerEvent.RecoveredType)];

    [Fact]
    public async Task A_consent_that_reconnects_a_mailbox_needing_consent_reports_it_recovered()
    {
        await using var host = await StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        await host.Identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", 50173);
        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(async () => await host.Tokens.KeepAliveAsync((await host.Registry.GetAsync(mailbox, Ct))!, Ct));

        await host.CompleteAsync(await host.SignInAsync(mailbox));

        var recovered = Assert.Single(await RecoveredAsync(host));
        Assert.Equal(mailbox, recovered.Mailbox);
        // The new consent link had made it PendingConsent; the failure it recovered from is in the reason.
        Assert.Equal(nameof(MailboxState.PendingConsent), recovered.From);
        Assert.StartsWith("Reconnected through a consent link; before, it failed with:", recovered.Reason);
        Assert.Contains("50173", recovered.Reason);
    }

    [Fact]
    public async Task A_keep_alive_that_succeeds_after_failed_ones_reports_the_mailbox_recovered()
    {
        await using var host = await StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));
        // MSAL retries a 5xx once: both attempts fail.
        await host.Identity.FailNextTokenCallAsync("refresh_token", "temporarily_unavailable", status: 503, count: 2);
        await Assert.ThrowsAsync<MailboxTokenUnavailableException>(async () => await host.Tokens.KeepAliveAsync((await host.Registry.GetAsync(mailbox, Ct))!, Ct));

        await host.Tokens.KeepAliveAsync((await host.Registry.GetAsync(mailbox, Ct))!, Ct);

        var recovered = Assert.Single(await RecoveredAsync(host));
        Assert.Equal(nameof(MailboxState.Connected), recovered.From);
        Assert.StartsWith("The refresh token was redeemed again", recovered.Reason);
    }

    [Fact]
    public async Task A_keep_alive_of_a_healthy_mailbox_reports_nothing()
    {
        await using var host = await StartAsync();
        var mailbox = NewUser();
        await host.CompleteAsync(await host.SignInAsync(mailbox));

        await host.Tokens.KeepAliveAsync((await host.Registry.GetAsync(mailbox, Ct))!, Ct);

        Assert.Empty(await RecoveredAsync(host));
    }
}
