using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Net;

namespace TokenBroker.Jobs.Fetch;

/// <summary>
/// The fetch side of the mail worker (<see cref="IFetchJob"/>). Settings "Mail" (<see cref="FetchOptions"/>: Imap, Pop3,
/// ExtraTrustedCaFile, SaslMechanism, timeouts, WebhookTimeout) and "Sinks" (<see cref="SinkCatalog"/>).
/// Needs IMailboxRegistry (token store) and IMailboxTokenProvider (AddOAuth); adds the ledger (AddMailLedger).
/// </summary>
public static class FetchJobServiceCollectionExtensions
{
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it.</exception>
    public static IServiceCollection AddFetchJob(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new FetchOptions();
        configuration.GetSection(FetchOptions.Section).Bind(options);
        var imap = MailServerSettings.Endpoint(options.Imap, "Mail:Imap", MailProtocol.Imap, "imaps:// or imap://");
        var pop3 = MailServerSettings.Endpoint(options.Pop3, "Mail:Pop3", MailProtocol.Pop3, "pop3s:// or pop3://");
        var mechanism = options.SaslMechanism.ToLowerInvariant() switch
        {
            "xoauth2" => MailSaslMechanism.XOAuth2,
            "oauthbearer" => MailSaslMechanism.OAuthBearer,
            _ => throw new InvalidOperationException($"Setting 'Mail:SaslMechanism' is '{options.SaslMechanism}'; use xoauth2 or oauthbearer."),
        };
        var extraRoots = MailServerSettings.LoadExtraRoots(options.ExtraTrustedCaFile);
        var sinks = SinkCatalog.Load(configuration);

        services.TryAddSingleton(TimeProvider.System);
        services.AddMailLedger(configuration);
        services.TryAddSingleton(options);
        services.TryAddSingleton(provider => new MailServers(imap, pop3, new MailClientOptions
        {
            ExtraTrustedRoots = extraRoots,
            ConnectTimeout = options.ConnectTimeout,
            CommandTimeout = options.CommandTimeout,
            TimeProvider = provider.GetRequiredService<TimeProvider>(),
        }, mechanism, new FetchLimits(options.FetchMaxMessageBytes, options.FetchRunTimeout)));
        // Redirects are not followed: a POST of a message must reach the configured receiver or fail visibly.
        services.AddHttpClient(MessageSinkFactory.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.ConnectTimeout });
        services.TryAddSingleton(sinks);
        services.TryAddSingleton<MessageSinkFactory>();
        services.TryAddSingleton<FetchEvents>();
        services.TryAddSingleton<IFetchJob, FetchJob>();
        return services;
    }
}
