using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenBroker.Bridge.Access;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;
using TokenBroker.Queues;

namespace TokenBroker.Bridge;

/// <summary>The bridge's services. Settings are read now, so a mistake stops the start with one sentence naming it.</summary>
public static class BridgeServiceCollectionExtensions
{
    public static IServiceCollection AddBridge(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new BridgeOptions();
        configuration.GetSection(BridgeOptions.Section).Bind(options);
        var endpoints = BridgeEndpoints.From(options);
        var certificate = BridgeEndpoints.LoadCertificate(options);
        var upstreamOptions = new MailClientOptions
        {
            ExtraTrustedRoots = MailServerSettings.LoadExtraRoots(configuration["Mail:ExtraTrustedCaFile"]),
            CommandTimeout = options.CommandTimeout,
        };

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton(options);
        services.TryAddSingleton<IBridgeAccess, InProcessBridgeAccess>();
        services.AddSingleton(provider => new BridgeActivity(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<BridgeActivity>>(), provider.GetService<IQueueTransport>()));
        services.AddSingleton<BridgeLogin>();
        services.AddSingleton(provider => new BridgeService(endpoints, options, certificate, upstreamOptions,
            provider.GetRequiredService<BridgeLogin>(), provider.GetRequiredService<IBridgeAccess>(), provider.GetRequiredService<SendGovernor>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<BridgeService>>()));
        services.AddHostedService(provider => provider.GetRequiredService<BridgeService>());
        return services;
    }
}
