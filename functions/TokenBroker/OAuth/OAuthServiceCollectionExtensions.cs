using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

public static class OAuthServiceCollectionExtensions
{
    private const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The broker's front door: options from the "OAuth" section, the MSAL client factory, consent, app-only
    /// registration and <see cref="IMailboxTokenProvider"/>. Needs the store's services (IMailboxRegistry,
    /// ITokenCacheStore, IBrokerSecrets) registered too.
    /// </summary>
    public static IServiceCollection AddOAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OAuthOptions>()
            .Bind(configuration.GetSection(OAuthOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthOptions>, OAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        services.TryAddSingleton<ClientCredentialLoader>();
        services.TryAddSingleton<ConfidentialClientFactory>();
        services.TryAddSingleton<ConsentStateProtector>();
        services.TryAddSingleton<ConsentStart>();
        services.TryAddSingleton<ConsentInvitationProtector>();
        services.TryAddSingleton<ConsentInvitations>();
        services.TryAddSingleton<ConsentCallback>();
        services.TryAddSingleton<SignInCompletion>();
        services.TryAddSingleton<DeviceCodeConsent>();
        services.TryAddSingleton<Import.RefreshTokenImport>();
        services.TryAddSingleton<DeviceCode.DeviceAuthorizationClient>();
        services.TryAddSingleton<DeviceCode.DeviceConsentHandles>();
        services.TryAddSingleton<DeviceCode.RemoteDeviceConsent>();
        services.TryAddSingleton<AppOnlyRegistration>();
        services.TryAddSingleton<AccessTokenMemoryCache>();
        services.TryAddSingleton<IMailboxTokenProvider, MailboxTokenProvider>();

        // ASP.NET Core's request log writes the full URL, and the consent callback's URL carries the
        // authorization code: keep that category at Warning whatever the configuration says.
        services.Configure<LoggerFilterOptions>(options =>
            options.Rules.Add(new LoggerFilterRule(providerName: null, RequestLogCategory, Microsoft.Extensions.Logging.LogLevel.Warning, filter: null)));
        return services;
    }
}
