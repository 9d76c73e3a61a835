using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Functions;
using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Jobs.Refresh;

/// <summary>The OAuth test host (real identity server over HTTPS, real store) plus the refresh job.</summary>
internal static class RefreshTesting
{
    public static Task<OAuthTestHost> StartAsync(TestStore store = TestStore.Embedded, Action<RefreshOptions>? refresh = null, Action<EventsOptions>? events = null) =>
        OAuthTestHost.StartAsync(store, services =>
        {
            services.AddRefreshJob(new ConfigurationBuilder().Build());
            if (refresh is not null) services.PostConfigure(refresh);
            if (events is not null) services.PostConfigure(events);
        });

    /// <summary>A mailbox connected through the real consent flow, its access token living <paramref name="tokenLifetimeSeconds"/>.</summary>
    public static async Task<string> ConnectAsync(OAuthTestHost host, int tokenLifetimeSeconds, string protocols = "imap,smtp")
    {
        var mailbox = $"refresh-{Guid.NewGuid():N}@{IdentityPeer.TenantDomain}";
        await host.Identity.SetTokenLifetimeAsync(tokenLifetimeSeconds);
        var (status, page) = await host.CompleteAsync(await host.SignInAsync(mailbox, protocols));
        Assert.True(status == HttpStatusCode.OK, page);
        return mailbox;
    }

    /// <summary>A mailbox connected through the real consent flow and kept alive an interval ago: due for the next sweep.</summary>
    public static async Task<string> ConnectDueAsync(OAuthTestHost host, string protocols = "imap,smtp")
    {
        var mailbox = await ConnectAsync(host, tokenLifetimeSeconds: 3600, protocols);
        await MakeDueAsync(host, mailbox);
        return mailbox;
    }

    /// <summary>Moves the mailbox's last keep-alive one interval back.</summary>
    public static async Task MakeDueAsync(OAuthTestHost host, string mailbox)
    {
        var stored = (await host.Registry.GetAsync(mailbox))!;
        var interval = host.Get<IOptions<RefreshOptions>>().Value.Interval;
        await host.Registry.SaveAsync(stored.Value with { LastRefreshAt = host.Clock.GetUtcNow() - interval }, stored.Version);
    }

    /// <summary>
    /// A second broker instance (or this one restarted): its own MSAL client, token provider and sweep, sharing
    /// nothing in memory with the host's, over the same store.
    /// </summary>
    public static RefreshSweep OtherInstanceSweep(OAuthTestHost host) =>
        new(host.Registry, OtherInstanceTokens(host), host.Get<IOptions<RefreshOptions>>(), host.Clock, new Random(7), host.Get<ILoggerFactory>().CreateLogger<RefreshSweep>());

    /// <summary>Another instance's token provider: its own MSAL clients and its own access tokens in memory.</summary>
    public static MailboxTokenProvider OtherInstanceTokens(OAuthTestHost host)
    {
        var caches = host.TokenCaches;
        var clients = ActivatorUtilities.CreateInstance<ConfidentialClientFactory>(host.App.Services, caches, new MsalTokenCacheBinding(caches));
        return new MailboxTokenProvider(host.Registry, clients, host.Clock, host.Get<ILoggerFactory>().CreateLogger<MailboxTokenProvider>(), host.Get<MailboxBackoffPolicy>(), new AccessTokenMemoryCache());
    }

    /// <summary>Runs the RefreshTokens timer function once and returns the events it put on its output binding.</summary>
    public static async Task<IReadOnlyList<BrokerEvent>> RunTimerAsync(OAuthTestHost host, CancellationToken cancellationToken)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<TokenBroker.Functions.RefreshTokensFunction>(scope.ServiceProvider);
        var outputs = await function.RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), cancellationToken);
        return outputs.Events?.Select(BrokerEvent.Parse).ToList() ?? [];
    }
}
