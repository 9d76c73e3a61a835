using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;
using TokenBroker.OAuth;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>
/// Every setting the broker needs to start in Azure is set by the template. The list is not copied here: the
/// app itself starts on the template's settings alone, so its own validation decides what is required.
/// </summary>
public class TemplateSettingsTests
{
    public static TheoryData<string, string> PlansAndCredentials() => new()
    {
        { "FlexConsumption", "secret" },
        { "FlexConsumption", "certificate" },
        { "Premium", "secret" },
        { "Dedicated", "certificate" },
    };

    [Theory]
    [MemberData(nameof(PlansAndCredentials))]
    public async Task The_worker_services_start_on_the_template_settings_alone(string hostingPlan, string clientCredential)
    {
        var settings = AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan, ["clientCredential"] = clientCredential }).KnownAppSettings;

        using var app = await TemplateBroker.StartAsync(settings);

        Assert.Equal("azure", app.Services.GetRequiredService<IOptions<QueueHostingOptions>>().Value.Transport);
    }

    [Theory]
    [InlineData("TokenStore__VaultUri")]
    [InlineData("OAuth__ClientId")]
    [InlineData("OAuth__ClientSecret")]
    [InlineData("AzureWebJobsStorage__accountName")]
    public async Task Without_a_setting_the_template_provides_the_start_fails_naming_it(string setting)
    {
        var settings = AzureTemplate.Deploy().KnownAppSettings.Where(s => s.Key != setting).ToDictionary();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TemplateBroker.StartAsync(settings));

        Assert.True(error.Message.Contains(setting, StringComparison.Ordinal) || error.Message.Contains(setting.Replace("__", ":", StringComparison.Ordinal), StringComparison.Ordinal),
            $"The start failed without naming {setting}: {error.Message}");
    }

    [Fact]
    public void The_queue_connection_uses_the_managed_identity_on_the_template_storage_account()
    {
        var deployment = AzureTemplate.Deploy();
        var configuration = TemplateBroker.Configuration(deployment.KnownAppSettings);

        var connection = StorageConnection.FromConfiguration(configuration, configuration[$"{QueueHostingOptions.Section}:Connection"]!);

        var account = deployment.Single("Microsoft.Storage/storageAccounts").Name;
        Assert.Equal(StorageAuthentication.Identity, connection.Authentication);
        Assert.Equal(new Uri($"https://{account}.queue.core.windows.net"), connection.QueueServiceUri);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(connection.Credential);
    }

    [Fact]
    public void The_token_store_is_the_template_key_vault()
    {
        var deployment = AzureTemplate.Deploy();
        var configuration = TemplateBroker.Configuration(deployment.KnownAppSettings);

        var vault = KeyVaultUri.Parse(configuration[KeyVaultUri.Setting]);

        Assert.Equal(new Uri($"https://{deployment.Single("Microsoft.KeyVault/vaults").Name}.vault.azure.net/"), vault);
        Assert.Equal(deployment.Output("keyVaultUri"), vault.AbsoluteUri);
    }

    [Fact]
    public void The_redirect_uri_the_template_outputs_is_the_one_the_broker_sends()
    {
        var deployment = AzureTemplate.Deploy();
        var options = new OAuthOptions();
        TemplateBroker.Configuration(deployment.KnownAppSettings).GetSection(OAuthOptions.SectionName).Bind(options);

        Assert.Equal(deployment.Output("redirectUri"), options.EffectiveRedirectUri);
        Assert.Equal((string)deployment.Output("functionAppUrl")! + OAuthOptions.CallbackPath, options.EffectiveRedirectUri);
    }

    [Fact]
    public void Every_setting_the_worker_functions_refer_to_is_an_app_setting()
    {
        var settings = AzureTemplate.Deploy().KnownAppSettings;

        foreach (var setting in WorkerMetadata.Load().SettingReferences())
            Assert.True(settings.ContainsKey(setting), $"functions.metadata refers to %{setting}%, which the template does not set.");
    }

    [Fact]
    public void The_broker_queue_connection_is_identity_based_in_the_template()
    {
        var settings = AzureTemplate.Deploy().KnownAppSettings;
        var connection = new QueueHostingOptions().Connection;

        Assert.Equal("managedidentity", settings[$"{connection}__credential"]);
        Assert.False(settings.ContainsKey(connection), $"'{connection}' would be a connection string; the template must use {connection}__accountName.");
    }
}
