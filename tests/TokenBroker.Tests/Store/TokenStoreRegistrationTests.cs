using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Store;

public sealed class TokenStoreRegistrationTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "tokenbroker-di-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public async Task Without_a_vault_uri_the_embedded_store_is_registered_in_the_configured_folder()
    {
        var services = new ServiceCollection().AddTokenStore(Configuration(("TokenStore:DataDirectory", _dataDirectory)));
        await using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<IMailboxRegistry>();
        await registry.SaveAsync(TestMailboxes.Connected(), null, TestContext.Current.CancellationToken);

        Assert.Same(provider.GetRequiredService<EmbeddedTokenStore>().Mailboxes, registry);
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "token-store.db")));
        Assert.NotNull(provider.GetRequiredService<MsalTokenCacheBinding>());
    }

    [Fact]
    public async Task Without_its_own_folder_the_embedded_store_uses_the_broker_data_directory()
    {
        var services = new ServiceCollection().AddTokenStore(Configuration(("Broker:DataDirectory", _dataDirectory)));
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IMailboxRegistry>().SaveAsync(TestMailboxes.Connected(), null, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(Path.Combine(_dataDirectory, "token-store.db")));
    }

    [Fact]
    public async Task With_a_vault_uri_the_key_vault_store_is_registered_with_the_registered_credential()
    {
        var services = new ServiceCollection()
            .AddSingleton<TokenCredential>(new FixedTokenCredential("unused"))
            .AddTokenStore(Configuration(("TokenStore:VaultUri", "https://my-broker.vault.azure.net/")));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<KeyVaultTokenStore>();

        Assert.Same(store.Mailboxes, provider.GetRequiredService<IMailboxRegistry>());
        Assert.Same(store.TokenCaches, provider.GetRequiredService<ITokenCacheStore>());
        Assert.Same(store.Secrets, provider.GetRequiredService<IBrokerSecrets>());
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("http://my-broker.vault.azure.net/")]
    [InlineData("https://my-broker.vault.azure.net/secrets/x")]
    public void An_invalid_vault_uri_fails_registration_naming_the_setting(string vaultUri)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddTokenStore(Configuration(("TokenStore:VaultUri", vaultUri))));

        Assert.Contains("TokenStore:VaultUri", error.Message);
    }

    [Fact]
    public void Key_vault_kind_without_a_vault_uri_fails_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddTokenStore(Configuration(("TokenStore:Kind", "KeyVault"))));

        Assert.Contains("TokenStore:VaultUri is not set", error.Message);
    }

    [Fact]
    public void An_unknown_store_kind_fails_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddTokenStore(Configuration(("TokenStore:Kind", "Redis"))));

        Assert.Contains("TokenStore:Kind", error.Message);
    }
}
