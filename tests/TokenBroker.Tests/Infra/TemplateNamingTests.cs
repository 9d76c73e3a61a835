using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>Names are deterministic, so a second deployment updates the same resources.</summary>
public class TemplateNamingTests
{
    [Fact]
    public void The_template_uses_no_value_that_changes_between_deployments()
    {
        var text = AzureTemplate.Text;

        Assert.DoesNotContain("newGuid(", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("utcNow(", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Deploying_twice_to_a_resource_group_names_every_resource_the_same()
    {
        Assert.Equal(AzureTemplate.Deploy().Resources.Select(r => r.Name), AzureTemplate.Deploy().Resources.Select(r => r.Name));
    }

    [Fact]
    public void Another_resource_group_gets_other_globally_unique_names()
    {
        var first = AzureTemplate.Deploy(resourceGroup: "rg-one");
        var second = AzureTemplate.Deploy(resourceGroup: "rg-two");

        Assert.NotEqual(first.Single("Microsoft.Storage/storageAccounts").Name, second.Single("Microsoft.Storage/storageAccounts").Name);
        Assert.NotEqual(first.Single("Microsoft.KeyVault/vaults").Name, second.Single("Microsoft.KeyVault/vaults").Name);
        Assert.NotEqual(first.Single("Microsoft.Web/sites").Name, second.Single("Microsoft.Web/sites").Name);
    }

    [Fact]
    public void Global_names_fit_azure_length_and_character_rules()
    {
        var deployment = AzureTemplate.Deploy(new Dictionary<string, object?> { ["namePrefix"] = "a-very-long-prefix-x" });

        Assert.Matches("^[a-z0-9]{3,24}$", deployment.Single("Microsoft.Storage/storageAccounts").Name);
        Assert.Matches("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", deployment.Single("Microsoft.KeyVault/vaults").Name);
        Assert.InRange(deployment.Single("Microsoft.Web/sites").Name.Length, 2, 60);
    }
}
