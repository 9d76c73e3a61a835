using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Events;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Refresh;

public static class RefreshJobServiceCollectionExtensions
{
    /// <summary>
    /// The refresh sweep (options "Refresh"), the back-off policy the token provider applies to transient failures
    /// (stored on the mailbox, so every instance honours it) and the event webhook (options "Events").
    /// </summary>
    public static IServiceCollection AddRefreshJob(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RefreshOptions>().Bind(configuration.GetSection(RefreshOptions.Section));
        services.AddOptions<EventsOptions>().Bind(configuration.GetSection(EventsOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var refresh = provider.GetRequiredService<IOptions<RefreshOptions>>().Value;
            return new MailboxBackoffPolicy(refresh.InitialBackoff, refresh.MaxBackoff);
        });
        services.TryAddSingleton(provider => new RefreshSweep(
            provider.GetRequiredService<IMailboxRegistry>(),
            provider.GetRequiredService<IMailboxTokenProvider>(),
            provider.GetRequiredService<IOptions<RefreshOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            Random.Shared,
            provider.GetRequiredService<ILogger<RefreshSweep>>()));
        services.TryAddSingleton(provider => new WebhookEventPublisher(
            new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
            provider.GetRequiredService<IOptions<EventsOptions>>(),
            provider.GetRequiredService<ILogger<WebhookEventPublisher>>()));
        services.TryAddScoped<RefreshJob>();
        services.AddMetrics();
        services.TryAddSingleton<TokenBroker.Jobs.Telemetry.BrokerMetrics>();
        return services;
    }
}
