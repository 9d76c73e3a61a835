using System.Text.Json;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>infra/azure/azuredeploy.json and its parameters file, read as Azure would read them.</summary>
internal static class AzureTemplate
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot.Path, "infra", "azure");
    public static string TemplatePath { get; } = Path.Combine(Directory, "azuredeploy.json");
    public static string ParametersPath { get; } = Path.Combine(Directory, "azuredeploy.parameters.json");

    public static string Text => File.ReadAllText(TemplatePath);

    public static JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public static JsonElement ParametersJson => JsonDocument.Parse(File.ReadAllText(ParametersPath)).RootElement;

    public static IEnumerable<JsonElement> Resources => Json.GetProperty("resources").EnumerateArray();

    /// <summary>
    /// The deployment deploy.sh makes: the parameters file, then the values the script adds on the command line
    /// (a client id once the app is registered, the deployer's object id), then <paramref name="overrides"/>.
    /// </summary>
    public static EvaluatedDeployment Deploy(IReadOnlyDictionary<string, object?>? overrides = null, string resourceGroup = "rg-tokenbroker")
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in ParametersJson.GetProperty("parameters").EnumerateObject())
            values[parameter.Name] = ToValue(parameter.Value.GetProperty("value"));
        values["clientId"] = SampleClientId;
        values["deployerPrincipalId"] = "33333333-3333-3333-3333-333333333333";
        foreach (var (name, value) in overrides ?? new Dictionary<string, object?>())
            values[name] = value;
        return new EvaluatedDeployment(new ArmEvaluationContext(Json, values, resourceGroup));
    }

    public const string SampleClientId = "22222222-2222-2222-2222-222222222222";

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new NotSupportedException($"Parameter values of kind {element.ValueKind} are not used by this template."),
    };
}
