using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace TokenBroker.OAuth;

public static class OAuthServiceCollectionExtensions
{
    /// <summary>
    /// The broker's front door: options from the "OAuth" section, the MSAL client factory, consent, app-only
    /// registration and <see cref="IMailboxTokenProvider"/>. Needs the store's services (IMailboxRegistry,
    /// ITokenCacheStore, IBrokerSecrets) registered too.
    /// </summary>
    public static IServiceCollection AddOAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OAuthOptions>().Bind(configuration.GetSection(OAuthOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthOptions>, OAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        services.TryAddSingleton<ClientCredentialLoader>();
        services.TryAddSingleton<ConfidentialClientFactory>();
        services.TryAddSingleton<ConsentStateProtector>();
        services.TryAddSingleton<ConsentStart>();
        services.TryAddSingleton<ConsentCallback>();
        services.TryAddSingleton<AppOnlyRegistration>();
        services.TryAddSingleton<IMailboxTokenProvider, MailboxTokenProvider>();
        return services;
    }
}
