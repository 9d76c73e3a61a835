using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Store.Embedded;
using TokenBroker.Store.KeyVault;

namespace TokenBroker.Callers;

public static class CallersServiceCollectionExtensions
{
    /// <summary>
    /// The client registry next to the token store already registered (Key Vault or the embedded data folder),
    /// the authenticator and the per-function access check. Call after the token store.
    /// </summary>
    public static IServiceCollection AddCallers(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var entra = services.AddOptions<EntraCallerOptions>();
        if (configuration is not null) entra.Bind(configuration.GetSection(EntraCallerOptions.Section));
        services.AddSingleton<EntraBearerValidator>();
        var onKeyVault = services.Any(d => d.ServiceType == typeof(KeyVaultTokenStore));
        if (onKeyVault)
        {
            services.AddSingleton<IClientRegistry>(provider => new CachedClientRegistry(
                new KeyVaultClientRegistry(provider.GetRequiredService<KeyVaultTokenStore>().Client), provider.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IClientRegistry>(provider =>
                new SqliteClientRegistry(provider.GetRequiredService<IOptions<EmbeddedTokenStoreOptions>>().Value.DataDirectory));
        }
        services.AddSingleton<CallerAuthenticator>();
        services.AddSingleton<CallerAccess>();
        services.AddSingleton<BridgeSecretCheck>();
        // The broker's token endpoint raises the refusal events of remote bridges' apps (the event sink, where there is one).
        services.TryAddSingleton(provider => new TokenBroker.Bridge.BridgeRefusalEvents(provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<TokenBroker.Jobs.Events.IBrokerEventSink>(), provider.GetService<Microsoft.Extensions.Logging.ILogger<TokenBroker.Bridge.BridgeRefusalEvents>>()));
        return services;
    }
}
