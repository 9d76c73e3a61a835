using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>Role assignments use the documented built-in roles, give the app what the host and the broker need, and are stable.</summary>
public class TemplateRoleTests
{
    private static IEnumerable<EvaluatedResource> Assignments(string clientCredential = "secret") =>
        AzureTemplate.Deploy(new Dictionary<string, object?> { ["clientCredential"] = clientCredential }).OfType("Microsoft.Authorization/roleAssignments");

    private static string RoleName(EvaluatedResource assignment) => ((string)assignment.Properties["description"]!).Split(':')[0];

    private static string RoleId(EvaluatedResource assignment) => ((string)assignment.Properties["roleDefinitionId"]!).Split('/')[^1];

    [Fact]
    public void Every_role_assignment_names_a_built_in_role_and_uses_its_documented_id()
    {
        foreach (var assignment in Assignments("certificate"))
        {
            Assert.True(BuiltInRoles.Documented.TryGetValue(RoleName(assignment), out var documented), $"'{RoleName(assignment)}' is not a documented built-in role.");
            Assert.Equal(documented, RoleId(assignment));
            Assert.StartsWith("/subscriptions/", (string)assignment.Properties["roleDefinitionId"]!);
        }
    }

    [Theory]
    [InlineData("Storage Blob Data Owner", "Microsoft.Storage/storageAccounts")]
    [InlineData("Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts")]
    [InlineData("Storage Table Data Contributor", "Microsoft.Storage/storageAccounts")]
    [InlineData("Key Vault Secrets Officer", "Microsoft.KeyVault/vaults")]
    [InlineData("Monitoring Metrics Publisher", "Microsoft.Insights/components")]
    public void The_app_identity_holds_the_role_on_the_resource_it_uses(string role, string scopeType)
    {
        var assignment = Assert.Single(Assignments(), a => RoleName(a) == role && a.Properties["principalId"] is DeploymentTimeValue);

        Assert.StartsWith(scopeType + "/", (string)assignment["scope"]!);
        Assert.Contains("Microsoft.Web/sites", ((DeploymentTimeValue)assignment.Properties["principalId"]!).Expression);
        Assert.Equal("ServicePrincipal", assignment.Properties["principalType"]);
    }

    [Fact]
    public void No_role_lets_the_app_read_storage_account_keys()
    {
        string[] keyRoles = ["17d1049b-9a84-46fb-8f53-869881c3d3ab", "81a9662b-bebf-436f-a333-f67b29880f12", "c12c1c16-33a1-487b-954d-41c89c60f349"];

        Assert.DoesNotContain(Assignments("certificate"), a => keyRoles.Contains(RoleId(a)));
    }

    [Fact]
    public void Role_assignment_names_are_the_same_on_every_deployment_and_distinct()
    {
        var first = Assignments().Select(a => a.Name).ToList();
        var second = Assignments().Select(a => a.Name).ToList();

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Distinct().Count());
        Assert.All(first, name => Assert.True(Guid.TryParse(name, out _), $"Role assignment name '{name}' is not a GUID."));
    }

    [Fact]
    public void The_deployer_gets_a_vault_role_only_when_named()
    {
        var withoutDeployer = AzureTemplate.Deploy(new Dictionary<string, object?> { ["deployerPrincipalId"] = "" }).OfType("Microsoft.Authorization/roleAssignments");

        Assert.DoesNotContain(withoutDeployer, a => a.Properties["principalId"] is string);
        Assert.Contains(Assignments(), a => a.Properties["principalId"] is string and "33333333-3333-3333-3333-333333333333" && RoleName(a) == "Key Vault Secrets Officer");
    }
}
