using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Bridge.Reports;
using TokenBroker.Callers;
using TokenBroker.Dashboard;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Health;
using TokenBroker.Hosting.Telemetry;
using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Mailboxes;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Hosting;

/// <summary>The services every function needs, registered alike on both faces (the worker and the standalone host).</summary>
public static class BrokerServices
{
    public static IServiceCollection AddBroker(this IServiceCollection services, IConfiguration configuration, HostingMode mode, FunctionCatalog catalog)
    {
        services.AddSingleton(catalog);
        services.AddSingleton(new HostingModeInfo(mode));
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>();
        services.AddOptions<QueueHostingOptions>().BindConfiguration(QueueHostingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueHostingOptions>, QueueHostingOptionsValidator>();
        services.AddQueueTransport();
        // Under the Functions host tokens must live in Key Vault: instances share nothing on disk.
        if (mode == HostingMode.FunctionsWorker && configuration["TokenStore:Kind"] is null)
            services.AddKeyVaultTokenStore(configuration);
        else
            services.AddTokenStore(configuration);
        services.AddCallers(configuration);
        services.AddOAuth(configuration);
        // Without any OAuth setting the broker starts (health, queues and the mail CLI need none; /api/status says what
        // is missing). Once any is set, sign-in is meant to work: a wrong or missing one stops the start with its sentence.
        if (OAuthSettings.AnyConfigured(configuration))
            services.AddOptions<OAuthOptions>().ValidateOnStart();
        services.AddMailLedger(configuration);
        services.AddMailJobs(configuration);
        services.AddFetchJob(configuration);
        services.AddRefreshJob(configuration);
        services.AddEventJournal(configuration);
        services.AddBridgeReports(configuration);
        services.AddMailboxActions();
        services.AddDashboard();
        // Events from outside the timer (a consent that healed a mailbox) go to the same queue and webhook.
        services.TryAddSingleton<TokenBroker.Jobs.Events.IBrokerEventSink, TokenBroker.Jobs.Events.QueueBrokerEventSink>();
        services.TryAddSingleton<HealthReporter>();
        services.AddBrokerTelemetry(configuration, mode);
        FunctionCatalogValidation.Validate(catalog, mode, configuration);
        return services;
    }
}
