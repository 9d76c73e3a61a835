using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.Jobs.Mail.InDoubt;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Smtp;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// The mail worker's services. Settings: "Mail" (<see cref="MailSendOptions"/>: Smtp, ExtraTrustedCaFile, SaslMechanism,
/// timeouts; <see cref="MailRequestLimits"/>: MaxMessageBytes, MaxRecipients, MaxAttachments, MaxHeaders), "Mail:Governor" (<see cref="MailGovernorOptions"/>; its state shared per <see cref="GovernorStateRegistration"/>),
/// "Mail:InDoubt" (<see cref="InDoubtOptions"/>; the Sent folder is searched on the fetch job's Mail:Imap server), and
/// the ledger's ("Ledger", see AddMailLedger). Needs IMailboxRegistry (token store) and IMailboxTokenProvider (AddOAuth).
/// </summary>
public static class MailJobsServiceCollectionExtensions
{
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it.</exception>
    public static IServiceCollection AddMailJobs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Read now, so a bad setting stops the start-up with its name rather than failing the first message.
        var send = new MailSendOptions();
        configuration.GetSection(MailSendOptions.Section).Bind(send);
        var endpoint = MailServerSettings.Endpoint(send.Smtp, "Mail:Smtp", MailProtocol.Smtp, "smtp:// or smtps://");
        if (!TokenBroker.Mail.Sasl.OAuthMechanisms.Names.Contains(send.SaslMechanism.ToLowerInvariant()))
            throw new InvalidOperationException($"Setting 'Mail:SaslMechanism' is '{send.SaslMechanism}'; use {string.Join(" or ", TokenBroker.Mail.Sasl.OAuthMechanisms.Names)}.");
        var limits = new MailRequestLimits();
        configuration.GetSection(MailSendOptions.Section).Bind(limits);
        var governor = new MailGovernorOptions();
        configuration.GetSection(MailGovernorOptions.Section).Bind(governor);
        governor.Validate();
        var inDoubt = new InDoubtOptions();
        configuration.GetSection(InDoubtOptions.Section).Bind(inDoubt);
        inDoubt.Validate();
        var extraRoots = MailServerSettings.LoadExtraRoots(send.ExtraTrustedCaFile);

        services.TryAddSingleton(TimeProvider.System);
        if (LedgerCanFollowQueueTransport(configuration))
            services.AddMailLedger(configuration);
        services.TryAddSingleton(limits);
        // Sink names are checked against the fetch job's configured sinks when fetch is part of the build.
        services.TryAddSingleton(provider => new MailRequestParser(limits, provider.GetService<TokenBroker.Jobs.Fetch.Sinks.SinkCatalog>()));
        services.TryAddSingleton<MailEvents>();
        services.TryAddScoped<MailRequestWorker>();
        services.AddMetrics();
        services.TryAddSingleton<TokenBroker.Jobs.Telemetry.BrokerMetrics>();
        services.TryAddSingleton(new SmtpTarget(endpoint, send.SaslMechanism.ToLowerInvariant()));
        services.TryAddSingleton<ISmtpSessionFactory>(provider => new SmtpSessionFactory(new SmtpSubmission(new MailClientOptions
        {
            ExtraTrustedRoots = extraRoots,
            ConnectTimeout = send.ConnectTimeout,
            CommandTimeout = send.CommandTimeout,
            TimeProvider = provider.GetRequiredService<TimeProvider>(),
        })));
        var sharedState = GovernorStateRegistration.Resolve(configuration, governor);
        services.TryAddSingleton(provider => new SendGovernor(governor, provider.GetRequiredService<ISmtpSessionFactory>(),
            provider.GetRequiredService<TimeProvider>(), provider.GetService<ILogger<SendGovernor>>(),
            sharedState(provider.GetRequiredService<TimeProvider>(), provider.GetService<ILoggerFactory>()?.CreateLogger<SendGovernor>())));
        services.TryAddSingleton(inDoubt);
        // The IMAP server comes from the fetch job's settings (Mail:Imap) when it is registered; without it nothing can be checked.
        services.TryAddSingleton<ISentFolderCheck>(provider => new ImapSentFolderCheck(provider.GetService<TokenBroker.Jobs.Fetch.MailServers>(), inDoubt));
        services.TryAddSingleton<InDoubtResolver>();
        services.TryAddSingleton<SendJob>();
        return services;
    }

    // An unknown Queues:Transport is reported by the queue settings' own validation, in its words; the ledger, which
    // follows the transport unless Ledger:Kind says otherwise, must not pre-empt it with a second error.
    private static bool LedgerCanFollowQueueTransport(IConfiguration configuration) =>
        configuration["Ledger:Kind"] is { Length: > 0 }
        || configuration["Queues:Transport"]?.Trim().ToLowerInvariant() is null or "" or "sqlite" or "azure" or "azurestorage";
}
