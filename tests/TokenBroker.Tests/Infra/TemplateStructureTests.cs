using System.Text.Json;
using System.Text.RegularExpressions;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>azuredeploy.json is a deployment template Azure Resource Manager accepts as it is.</summary>
public partial class TemplateStructureTests
{
    [Fact]
    public void The_template_declares_the_2019_04_01_deployment_template_schema_and_a_content_version()
    {
        var template = AzureTemplate.Json;

        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", template.GetProperty("$schema").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", template.GetProperty("contentVersion").GetString());
        Assert.NotEmpty(template.GetProperty("resources").EnumerateArray());
    }

    [Fact]
    public void Every_resource_has_a_type_an_api_version_and_a_name()
    {
        foreach (var resource in AzureTemplate.Resources)
        {
            var type = resource.GetProperty("type").GetString();
            Assert.Matches(ResourceType(), type);
            Assert.Matches(ApiVersion(), resource.GetProperty("apiVersion").GetString());
            Assert.False(string.IsNullOrWhiteSpace(resource.GetProperty("name").GetString()), $"{type} has no name.");
        }
    }

    [Fact]
    public void Every_parameter_declares_an_arm_type()
    {
        string[] types = ["string", "securestring", "int", "bool", "object", "secureObject", "array"];
        foreach (var parameter in AzureTemplate.Json.GetProperty("parameters").EnumerateObject())
            Assert.Contains(parameter.Value.GetProperty("type").GetString(), types);
    }

    [Fact]
    public void The_parameters_file_uses_the_parameters_schema_and_only_declared_parameters()
    {
        var declared = AzureTemplate.Json.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var file = AzureTemplate.ParametersJson;

        Assert.Equal("https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", file.GetProperty("$schema").GetString());
        foreach (var parameter in file.GetProperty("parameters").EnumerateObject())
        {
            Assert.Contains(parameter.Name, declared);
            Assert.True(parameter.Value.TryGetProperty("value", out _), $"Parameter '{parameter.Name}' in the parameters file has no value.");
        }
    }

    [Fact]
    public void Every_expression_in_the_template_evaluates()
    {
        foreach (var plan in new[] { "FlexConsumption", "Premium", "Dedicated" })
        {
            var deployment = AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = plan });
            Assert.NotEmpty(deployment.Resources);
            foreach (var output in AzureTemplate.Json.GetProperty("outputs").EnumerateObject())
                Assert.NotNull(deployment.Output(output.Name));
        }
    }

    [GeneratedRegex(@"^Microsoft\.[A-Za-z]+(/[A-Za-z]+)+$")]
    private static partial Regex ResourceType();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex ApiVersion();
}
