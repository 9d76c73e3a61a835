using System.Text.Json;
using System.Text.RegularExpressions;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>No secret is a plain parameter or app setting; storage is reached by identity only.</summary>
public partial class TemplateSecretTests
{
    /// <summary>Parameters whose name suggests a secret and that are not declared secure.</summary>
    private static IEnumerable<string> InsecureSecretParameters(JsonElement template) =>
        template.GetProperty("parameters").EnumerateObject()
            .Where(p => SecretName().IsMatch(p.Name))
            .Where(p => p.Value.GetProperty("type").GetString() is not ("securestring" or "secureObject"))
            .Select(p => p.Name);

    [Fact]
    public void Every_parameter_whose_name_suggests_a_secret_is_secure()
    {
        Assert.Empty(InsecureSecretParameters(AzureTemplate.Json));
    }

    [Fact]
    public void A_plain_string_parameter_named_like_a_secret_is_caught()
    {
        var template = JsonDocument.Parse("""{ "parameters": { "clientSecret": { "type": "string" }, "storageConnectionString": { "type": "string" }, "adminPassword": { "type": "securestring" }, "location": { "type": "string" } } }""").RootElement;

        Assert.Equal(["clientSecret", "storageConnectionString"], InsecureSecretParameters(template));
    }

    [Fact]
    public void The_template_never_reads_or_places_an_account_key()
    {
        var text = AzureTemplate.Text;

        Assert.DoesNotContain("listKeys(", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
        foreach (var plan in new[] { "FlexConsumption", "Premium", "Dedicated" })
        {
            foreach (var (name, value) in AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = plan }).AppSettings)
                Assert.DoesNotContain("AccountKey=", value?.ToString() ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_storage_account_refuses_shared_keys_and_public_blobs_and_old_tls()
    {
        var properties = AzureTemplate.Deploy().Single("Microsoft.Storage/storageAccounts").Properties;

        Assert.Equal(false, properties["allowSharedKeyAccess"]);
        Assert.Equal(false, properties["allowBlobPublicAccess"]);
        Assert.Equal("TLS1_2", properties["minimumTlsVersion"]);
        Assert.Equal(true, properties["supportsHttpsTrafficOnly"]);
    }

    [Fact]
    public void The_client_secret_setting_is_a_reference_to_the_template_key_vault()
    {
        var deployment = AzureTemplate.Deploy(new Dictionary<string, object?> { ["clientCredential"] = "secret" });

        var reference = deployment.KnownAppSettings["OAuth__ClientSecret"];

        Assert.Equal($"@Microsoft.KeyVault(SecretUri={deployment.Output("keyVaultUri")}secrets/{deployment.Output("clientCredentialName")}/)", reference);
    }

    [Fact]
    public void With_a_certificate_no_client_secret_setting_exists()
    {
        var settings = AzureTemplate.Deploy(new Dictionary<string, object?> { ["clientCredential"] = "certificate" }).KnownAppSettings;

        Assert.False(settings.ContainsKey("OAuth__ClientSecret"));
        Assert.Equal("oauth-client-credential", settings["OAuth__CertificateKeyVaultSecretName"]);
    }

    [Fact]
    public void The_key_vault_uses_rbac_soft_delete_and_purge_protection()
    {
        var properties = AzureTemplate.Deploy().Single("Microsoft.KeyVault/vaults").Properties;

        Assert.Equal(true, properties["enableRbacAuthorization"]);
        Assert.Equal(true, properties["enableSoftDelete"]);
        Assert.Equal(true, properties["enablePurgeProtection"]);
    }

    [Fact]
    public void Application_insights_accepts_only_entra_authenticated_telemetry()
    {
        var deployment = AzureTemplate.Deploy();

        Assert.Equal(true, deployment.Single("Microsoft.Insights/components").Properties["DisableLocalAuth"]);
        Assert.Equal("Authorization=AAD", deployment.KnownAppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.IsType<DeploymentTimeValue>(deployment.AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.False(deployment.AppSettings.ContainsKey("APPINSIGHTS_INSTRUMENTATIONKEY"));
    }

    [GeneratedRegex("secret|password|key|connectionstring", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
