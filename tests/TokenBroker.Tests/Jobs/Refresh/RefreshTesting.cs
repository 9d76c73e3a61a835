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

/// <summary>The OAuth test host (real identity server over HTTPS, real store) plus the refresh job, without jitter.</summary>
internal static class RefreshTesting
{
    public static Task<OAuthTestHost> StartAsync(TestStore store = TestStore.Embedded, Action<RefreshOptions>? refresh = null, Action<EventsOptions>? events = null) =>
        OAuthTestHost.StartAsync(store, services =>
        {
            services.AddRefreshJob(new ConfigurationBuilder().Build());
            services.PostConfigure<RefreshOptions>(o =>
            {
                o.Jitter = TimeSpan.Zero;
                refresh?.Invoke(o);
            });
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

    /// <summary>
    /// A second broker instance (or this one restarted): its own MSAL client, token provider and sweep, sharing
    /// nothing in memory with the host's, over the same store.
    /// </summary>
    public static RefreshSweep OtherInstanceSweep(OAuthTestHost host)
    {
        var caches = host.TokenCaches;
        var clients = ActivatorUtilities.CreateInstance<ConfidentialClientFactory>(host.App.Services, caches, new MsalTokenCacheBinding(caches));
        var loggers = host.Get<ILoggerFactory>();
        var tokens = new MailboxTokenProvider(host.Registry, clients, host.Clock, loggers.CreateLogger<MailboxTokenProvider>(), host.Get<MailboxBackoffPolicy>());
        return new RefreshSweep(host.Registry, tokens, host.Get<IOptions<RefreshOptions>>(), host.Clock, new Random(7), loggers.CreateLogger<RefreshSweep>());
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
