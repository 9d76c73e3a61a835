using System.Text.Json.Nodes;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Packaging;
using TokenBroker.OAuth;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>The package the broker writes (host.json) and the Function App the template creates agree on the runtime.</summary>
public class TemplateRuntimeTests
{
    private static readonly JsonObject HostJson = HostJsonGenerator.Generate(new QueueHostingOptions());

    private static Dictionary<string, object?> FunctionAppProperties(string hostingPlan) =>
        AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan }).Single("Microsoft.Web/sites").Properties;

    [Fact]
    public void The_package_is_a_custom_handler_and_flex_consumption_runs_the_custom_runtime_1_0()
    {
        var runtime = (Dictionary<string, object?>)((Dictionary<string, object?>)FunctionAppProperties("FlexConsumption")["functionAppConfig"]!)["runtime"]!;

        Assert.Equal(HostJsonGenerator.ExecutableName, (string?)HostJson["customHandler"]!["description"]!["defaultExecutablePath"]);
        Assert.Equal("custom", runtime["name"]);
        Assert.Equal("1.0", runtime["version"]);
    }

    [Theory]
    [InlineData("Premium")]
    [InlineData("Dedicated")]
    public void Premium_and_dedicated_plans_run_the_custom_worker_on_functions_host_4(string hostingPlan)
    {
        var settings = AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan }).KnownAppSettings;

        Assert.Equal("custom", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.StartsWith("[4.", (string?)HostJson["extensionBundle"]!["version"]);
        Assert.False(FunctionAppProperties(hostingPlan).ContainsKey("functionAppConfig"));
    }

    [Fact]
    public void Flex_consumption_gets_none_of_the_app_settings_it_rejects()
    {
        var settings = AzureTemplate.Deploy().KnownAppSettings;

        // Flex Consumption moved these into functionAppConfig or dropped them; setting them fails the deployment.
        string[] rejected = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"];
        Assert.Empty(settings.Keys.Intersect(rejected));
    }

    [Fact]
    public void The_http_route_prefix_of_the_package_is_the_one_in_the_redirect_uri()
    {
        var prefix = (string?)HostJson["extensions"]!["http"]!["routePrefix"];

        Assert.StartsWith($"/{prefix}/", OAuthOptions.CallbackPath);
        Assert.EndsWith(OAuthOptions.CallbackPath, (string)AzureTemplate.Deploy().Output("redirectUri")!);
    }

    [Fact]
    public void The_flex_deployment_package_container_exists_and_is_read_with_the_app_identity()
    {
        var deployment = AzureTemplate.Deploy();
        var storage = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)deployment.Single("Microsoft.Web/sites").Properties["functionAppConfig"]!)["deployment"]!)["storage"]!;
        var container = deployment.Single("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal("blobContainer", storage["type"]);
        Assert.Equal($"https://{deployment.Single("Microsoft.Storage/storageAccounts").Name}.blob.core.windows.net/{container.Name.Split('/')[^1]}", storage["value"]);
        Assert.Equal("SystemAssignedIdentity", ((Dictionary<string, object?>)storage["authentication"]!)["type"]);
        Assert.Equal("SystemAssigned", ((Dictionary<string, object?>)deployment.Single("Microsoft.Web/sites")["identity"]!)["type"]);
    }
}
