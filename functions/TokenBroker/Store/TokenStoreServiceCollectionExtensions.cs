using Azure.Core;
using Microsoft.Extensions.Options;
using TokenBroker.Store.Embedded;
using Microsoft.Extensions.Logging;
using TokenBroker.Store.KeyVault;
using TokenBroker.Store.Locks;

namespace TokenBroker.Store;

/// <summary>
/// Registers <see cref="IMailboxRegistry"/>, <see cref="ITokenCacheStore"/>, <see cref="IBrokerSecrets"/> and
/// <see cref="MsalTokenCacheBinding"/> (singletons) on Key Vault or on the embedded SQLite store.
/// Settings live in the "TokenStore" section: Kind (KeyVault | Embedded), VaultUri, ManagedIdentityClientId,
/// DataDirectory, MailboxLocks and LockContainerName (<see cref="MailboxLocksRegistration"/>), and the retry/timeout fields of the options classes.
/// </summary>
public static class TokenStoreServiceCollectionExtensions
{
    public const string SectionName = "TokenStore";
    private const string KindSetting = SectionName + ":Kind";
    private const string BrokerDataDirectorySetting = "Broker:DataDirectory";

    /// <summary>
    /// Chooses by configuration: TokenStore:Kind when set, otherwise Key Vault when TokenStore:VaultUri is set and
    /// the embedded store when it is not. An invalid vault URI fails here, with the setting named.
    /// </summary>
    public static IServiceCollection AddTokenStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration[KindSetting];
        var vaultUri = configuration[KeyVaultUri.Setting];
        if (string.IsNullOrWhiteSpace(kind))
            kind = string.IsNullOrWhiteSpace(vaultUri) ? "Embedded" : "KeyVault";
        return kind.Trim().ToLowerInvariant() switch
        {
            "keyvault" => services.AddKeyVaultTokenStore(configuration),
            "embedded" => services.AddEmbeddedTokenStore(configuration),
            _ => throw new InvalidOperationException($"{KindSetting} '{kind}' is not a token store; use KeyVault or Embedded."),
        };
    }

    /// <summary>
    /// The Key Vault store. Options are bound from the "TokenStore" section of <paramref name="configuration"/> (when
    /// given) then <paramref name="configure"/>. Uses a <see cref="TokenCredential"/> registered in the container,
    /// else DefaultAzureCredential (managed identity on Azure).
    /// </summary>
    public static IServiceCollection AddKeyVaultTokenStore(this IServiceCollection services, IConfiguration? configuration = null,
        Action<KeyVaultTokenStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configuration is not null && configure is null)
            KeyVaultUri.Parse(configuration[KeyVaultUri.Setting]);

        var options = services.AddOptions<KeyVaultTokenStoreOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(SectionName));
        if (configure is not null) options.Configure(configure);
        services.AddSingleton<IValidateOptions<KeyVaultTokenStoreOptions>, KeyVaultTokenStoreOptionsValidator>();
        options.ValidateOnStart();

        var locks = configuration is null ? null : MailboxLocksRegistration.Resolve(configuration);
        services.AddSingleton(provider =>
        {
            var storeOptions = provider.GetRequiredService<IOptions<KeyVaultTokenStoreOptions>>().Value;
            var client = KeyVaultTokenStore.CreateSecretClient(storeOptions, provider.GetService<TokenCredential>());
            var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            return new KeyVaultTokenStore(client, storeOptions, time,
                locks?.Invoke(time, provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(BlobMailboxLocks))));
        });
        services.AddSingleton(provider => provider.GetRequiredService<KeyVaultTokenStore>().Mailboxes);
        services.AddSingleton(provider => provider.GetRequiredService<KeyVaultTokenStore>().TokenCaches);
        services.AddSingleton(provider => provider.GetRequiredService<KeyVaultTokenStore>().Secrets);
        services.AddSingleton<MsalTokenCacheBinding>();
        return services;
    }

    /// <summary>
    /// The embedded store: SQLite + DataProtection key ring in TokenStore:DataDirectory, else in the broker's
    /// Broker:DataDirectory, else in the user's local application data folder.
    /// </summary>
    public static IServiceCollection AddEmbeddedTokenStore(this IServiceCollection services, IConfiguration? configuration = null,
        Action<EmbeddedTokenStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EmbeddedTokenStoreOptions>();
        if (configuration is not null)
        {
            // The broker's shared data folder unless the store is given its own.
            var brokerDataDirectory = configuration[BrokerDataDirectorySetting];
            if (!string.IsNullOrWhiteSpace(brokerDataDirectory)) options.Configure(o => o.DataDirectory = brokerDataDirectory);
            options.Bind(configuration.GetSection(SectionName));
        }
        if (configure is not null) options.Configure(configure);
        options.PostConfigure(o => o.DataDirectory = string.IsNullOrWhiteSpace(o.DataDirectory) ? o.DataDirectory : Path.GetFullPath(o.DataDirectory));
        options.Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), $"{SectionName}:DataDirectory is empty; give a folder for the token store.");

        services.AddSingleton(provider => new EmbeddedTokenStore(provider.GetRequiredService<IOptions<EmbeddedTokenStoreOptions>>().Value));
        services.AddSingleton(provider => provider.GetRequiredService<EmbeddedTokenStore>().Mailboxes);
        services.AddSingleton(provider => provider.GetRequiredService<EmbeddedTokenStore>().TokenCaches);
        services.AddSingleton(provider => provider.GetRequiredService<EmbeddedTokenStore>().Secrets);
        services.AddSingleton<MsalTokenCacheBinding>();
        return services;
    }

    private sealed class KeyVaultTokenStoreOptionsValidator : IValidateOptions<KeyVaultTokenStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, KeyVaultTokenStoreOptions options)
        {
            try
            {
                KeyVaultUri.Validate(options.VaultUri);
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }
}
