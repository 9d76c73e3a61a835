using System.Text.Json.Nodes;
using TokenBroker.OAuth;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>The Function App the template creates runs the worker the project builds: dotnet-isolated on the project's .NET version.</summary>
public class TemplateRuntimeTests
{
    private const string WorkerRuntime = "dotnet-isolated";

    private static readonly JsonNode HostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")))!;

    private static Dictionary<string, object?> FunctionAppProperties(string hostingPlan) =>
        AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan }).Single("Microsoft.Web/sites").Properties;

    private static Dictionary<string, object?> Object(object? value) => Assert.IsType<Dictionary<string, object?>>(value);

    [Fact]
    public void The_project_builds_for_a_dotnet_version_azure_names_major_dot_minor()
    {
        Assert.Matches(@"^net\d+\.\d+$", ProjectRuntime.TargetFramework);
        Assert.Equal("10.0", ProjectRuntime.VersionOf("net10.0"));
        Assert.Throws<InvalidOperationException>(() => ProjectRuntime.VersionOf("netstandard2.0"));
    }

    [Fact]
    public void Flex_consumption_runs_dotnet_isolated_on_the_project_dotnet_version()
    {
        var properties = FunctionAppProperties("FlexConsumption");

        var runtime = Object(Object(properties["functionAppConfig"])["runtime"]);

        Assert.Equal(WorkerRuntime, runtime["name"]);
        Assert.Equal(ProjectRuntime.DotnetVersion, runtime["version"]);
    }

    [Fact]
    public void Flex_consumption_runs_on_the_fc1_plan_and_scales_within_its_limits()
    {
        var deployment = AzureTemplate.Deploy();
        var plan = deployment.Single("Microsoft.Web/serverfarms");
        var scale = Object(Object(deployment.Single("Microsoft.Web/sites").Properties["functionAppConfig"])["scaleAndConcurrency"]);

        Assert.Equal("FC1", Object(plan["sku"])["name"]);
        Assert.Equal("FlexConsumption", Object(plan["sku"])["tier"]);
        Assert.Equal(true, plan.Properties["reserved"]);
        Assert.Equal("functionapp,linux", deployment.Single("Microsoft.Web/sites")["kind"]);
        Assert.InRange((long)scale["maximumInstanceCount"]!, 40, 1000);
        Assert.Contains((long)scale["instanceMemoryMB"]!, new long[] { 2048, 4096 });
    }

    [Theory]
    [InlineData("Premium")]
    [InlineData("Dedicated")]
    public void Premium_and_dedicated_plans_run_dotnet_isolated_on_linux_on_functions_host_4(string hostingPlan)
    {
        var settings = AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan }).KnownAppSettings;
        var properties = FunctionAppProperties(hostingPlan);

        Assert.Equal(WorkerRuntime, settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Equal("1", settings["WEBSITE_RUN_FROM_PACKAGE"]);
        Assert.Equal($"DOTNET-ISOLATED|{ProjectRuntime.DotnetVersion}", Object(properties["siteConfig"])["linuxFxVersion"]);
        Assert.Equal(true, properties["reserved"]);
        Assert.False(properties.ContainsKey("functionAppConfig"));
    }

    [Fact]
    public void Flex_consumption_gets_none_of_the_app_settings_and_site_properties_it_deprecates()
    {
        var deployment = AzureTemplate.Deploy();
        var settings = deployment.KnownAppSettings;

        // Flex Consumption moved these into functionAppConfig (runtime, deployment, scale) or dropped them:
        // https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
        string[] deprecated =
        [
            "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
            "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
            "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
        ];
        Assert.Empty(deployment.AppSettings.Keys.Intersect(deprecated, StringComparer.OrdinalIgnoreCase));
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "Flex Consumption uses the identity-based AzureWebJobsStorage__* settings here, not a connection string.");
        var siteConfig = Object(deployment.Single("Microsoft.Web/sites").Properties["siteConfig"]);
        Assert.False(siteConfig.ContainsKey("linuxFxVersion"), "Flex Consumption takes the runtime from functionAppConfig.runtime, not linuxFxVersion.");
        Assert.False(siteConfig.ContainsKey("netFrameworkVersion"));
    }

    [Theory]
    [InlineData("FlexConsumption")]
    [InlineData("Premium")]
    [InlineData("Dedicated")]
    public void No_plan_runs_a_custom_handler(string hostingPlan)
    {
        var deployment = AzureTemplate.Deploy(new Dictionary<string, object?> { ["hostingPlan"] = hostingPlan });

        Assert.DoesNotContain(deployment.AppSettings.Values, value => Equals(value, "custom"));
        Assert.DoesNotContain("\"custom\"", AzureTemplate.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Null(HostJson["customHandler"]);
    }

    [Fact]
    public void The_http_route_prefix_of_host_json_is_the_one_in_the_redirect_uri()
    {
        var prefix = (string?)HostJson["extensions"]!["http"]!["routePrefix"];

        Assert.StartsWith($"/{prefix}/", OAuthOptions.CallbackPath);
        Assert.EndsWith(OAuthOptions.CallbackPath, (string)AzureTemplate.Deploy().Output("redirectUri")!);
    }

    [Fact]
    public void The_flex_deployment_package_container_exists_and_is_read_with_the_app_identity()
    {
        var deployment = AzureTemplate.Deploy();
        var storage = Object(Object(Object(deployment.Single("Microsoft.Web/sites").Properties["functionAppConfig"])["deployment"])["storage"]);
        var container = deployment.Single("Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal("blobContainer", storage["type"]);
        Assert.Equal($"https://{deployment.Single("Microsoft.Storage/storageAccounts").Name}.blob.core.windows.net/{container.Name.Split('/')[^1]}", storage["value"]);
        Assert.Equal("SystemAssignedIdentity", Object(storage["authentication"])["type"]);
        Assert.Equal("SystemAssigned", Object(deployment.Single("Microsoft.Web/sites")["identity"])["type"]);
    }
}
