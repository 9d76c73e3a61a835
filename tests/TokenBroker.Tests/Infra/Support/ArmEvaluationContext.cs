using System.Text.Json;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>One imagined deployment: the template, the parameter values given, and where it is deployed.</summary>
internal sealed class ArmEvaluationContext
{
    private readonly JsonElement _template;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);

    public ArmEvaluationContext(JsonElement template, IReadOnlyDictionary<string, object?> parameters, string resourceGroupName, int? copyIndex = null)
    {
        _template = template;
        _parameters = parameters;
        ResourceGroupName = resourceGroupName;
        CopyIndex = copyIndex;
    }

    public string SubscriptionId => "00000000-0000-0000-0000-00000000feed";
    public string TenantId => "11111111-1111-1111-1111-111111111111";
    public string ResourceGroupName { get; }
    public int? CopyIndex { get; }

    public ArmEvaluationContext WithCopyIndex(int index) => new(_template, _parameters, ResourceGroupName, index);

    public object? Evaluate(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => ArmExpression.EvaluateString(element.GetString()!, this),
        JsonValueKind.Number => element.GetInt64(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => element.EnumerateArray().Select(Evaluate).ToList(),
        JsonValueKind.Object => element.EnumerateObject().Aggregate(ArmFunctions.NewObject(), (map, p) => { map[p.Name] = Evaluate(p.Value); return map; }),
        _ => throw new InvalidOperationException($"Unexpected JSON {element.ValueKind}."),
    };

    public object? Parameter(string name)
    {
        if (_parameters.TryGetValue(name, out var given)) return given;
        if (!_template.GetProperty("parameters").TryGetProperty(name, out var declaration))
            throw new KeyNotFoundException($"The template declares no parameter '{name}'.");
        return declaration.TryGetProperty("defaultValue", out var defaultValue)
            ? Evaluate(defaultValue)
            : throw new InvalidOperationException($"Parameter '{name}' has no default and no value was given.");
    }

    public object? Variable(string name)
    {
        if (_variables.TryGetValue(name, out var cached)) return cached;
        if (!_template.GetProperty("variables").TryGetProperty(name, out var declaration))
            throw new KeyNotFoundException($"The template declares no variable '{name}'.");
        return _variables[name] = Evaluate(declaration);
    }

    public Dictionary<string, object?> ResourceGroup()
    {
        var map = ArmFunctions.NewObject();
        map["id"] = $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}";
        map["name"] = ResourceGroupName;
        map["location"] = "westeurope";
        return map;
    }

    public Dictionary<string, object?> Subscription()
    {
        var map = ArmFunctions.NewObject();
        map["id"] = $"/subscriptions/{SubscriptionId}";
        map["subscriptionId"] = SubscriptionId;
        map["tenantId"] = TenantId;
        return map;
    }

    /// <summary>environment() in Azure's public cloud.</summary>
    public static Dictionary<string, object?> PublicCloud()
    {
        var suffixes = ArmFunctions.NewObject();
        suffixes["storage"] = "core.windows.net";
        suffixes["keyvaultDns"] = ".vault.azure.net";
        var map = ArmFunctions.NewObject();
        map["name"] = "AzureCloud";
        map["suffixes"] = suffixes;
        return map;
    }

    /// <summary>resourceId('A/B/C', 'x', 'y', 'z') → .../providers/A/B/x/C/y/... as Azure builds nested ids.</summary>
    public string ResourceId(IReadOnlyList<string> arguments)
    {
        var typeSegments = arguments[0].Split('/');
        var names = arguments.Skip(1).ToList();
        if (typeSegments.Length - 1 != names.Count)
            throw new ArgumentException($"resourceId('{arguments[0]}') needs {typeSegments.Length - 1} names, got {names.Count}.");
        var path = typeSegments[0] + "/" + string.Join('/', typeSegments.Skip(1).Zip(names, (type, name) => $"{type}/{name}"));
        return $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroupName}/providers/{path}";
    }
}
