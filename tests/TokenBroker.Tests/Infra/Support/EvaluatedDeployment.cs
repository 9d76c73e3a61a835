using System.Text.Json;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>One resource as Azure would receive it: every expression evaluated (copy loops expanded).</summary>
internal sealed record EvaluatedResource(string Type, string Name, Dictionary<string, object?> Body)
{
    public object? this[string property] => Body.TryGetValue(property, out var value) ? value : null;

    public Dictionary<string, object?> Properties => (Dictionary<string, object?>)Body["properties"]!;
}

/// <summary>The template evaluated for one set of parameter values.</summary>
internal sealed class EvaluatedDeployment(ArmEvaluationContext context)
{
    public ArmEvaluationContext Context { get; } = context;

    /// <summary>Resources whose condition holds, copy loops expanded.</summary>
    public IReadOnlyList<EvaluatedResource> Resources { get; } = Evaluate(context);

    public IEnumerable<EvaluatedResource> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));

    public EvaluatedResource Single(string type) => Assert.Single(OfType(type));

    /// <summary>The Function App's application settings (the sites/config "appsettings" resource).</summary>
    public IReadOnlyDictionary<string, object?> AppSettings =>
        OfType("Microsoft.Web/sites/config").Single(r => r.Name.EndsWith("/appsettings", StringComparison.Ordinal)).Properties;

    /// <summary>App settings whose values are known before deployment, as the app would see them in its environment.</summary>
    public IReadOnlyDictionary<string, string> KnownAppSettings =>
        AppSettings.Where(s => s.Value is string).ToDictionary(s => s.Key, s => (string)s.Value!);

    public object? Output(string name) =>
        Context.Evaluate(AzureTemplate.Json.GetProperty("outputs").GetProperty(name).GetProperty("value"));

    public IEnumerable<string> QueueNames =>
        OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(q => q.Name.Split('/')[^1]);

    private static List<EvaluatedResource> Evaluate(ArmEvaluationContext context)
    {
        var resources = new List<EvaluatedResource>();
        foreach (var resource in AzureTemplate.Resources)
        {
            var count = resource.TryGetProperty("copy", out var copy) ? (int)(long)context.Evaluate(copy.GetProperty("count"))! : 1;
            for (var i = 0; i < count; i++)
            {
                var scope = resource.TryGetProperty("copy", out _) ? context.WithCopyIndex(i) : context;
                if (resource.TryGetProperty("condition", out var condition) && !(bool)scope.Evaluate(condition)!)
                    continue;
                var body = ArmFunctions.NewObject();
                foreach (var property in resource.EnumerateObject().Where(p => p.Name is not ("copy" or "condition")))
                    body[property.Name] = scope.Evaluate(property.Value);
                resources.Add(new EvaluatedResource((string)body["type"]!, (string)body["name"]!, body));
            }
        }
        return resources;
    }
}
