using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenBroker.Hosting.Packaging;

/// <summary>One binding of one function in functions.metadata, as the Functions host reads it.</summary>
public sealed record FunctionBindingMetadata(string Function, string Type, string Direction, JsonElement Json)
{
    /// <summary>The connection the host uses when a storage binding names none.</summary>
    public const string DefaultStorageConnection = "AzureWebJobsStorage";

    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueueTrigger => string.Equals(Type, "queueTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueue => IsQueueTrigger || string.Equals(Type, "queue", StringComparison.OrdinalIgnoreCase);

    public string? QueueName => String("queueName");

    public string? Schedule => String("schedule");

    /// <summary>The connection setting prefix of a storage binding (the worker SDK leaves it out for the default).</summary>
    public string Connection => String("connection") is { Length: > 0 } connection ? connection : DefaultStorageConnection;

    /// <summary>The string property <paramref name="name"/> (the SDK writes camelCase names).</summary>
    public string? String(string name) =>
        Json.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.String } property
            ? property.Value.GetString()
            : null;
}

/// <summary>
/// The function table the isolated worker SDK generates at build time (functions.metadata: a JSON array of functions,
/// each with its bindings). The package and the infrastructure tests read it instead of keeping a list by hand.
/// </summary>
public sealed partial class FunctionsMetadata
{
    public const string FileName = "functions.metadata";

    private FunctionsMetadata(IReadOnlyList<string> functionNames, IReadOnlyList<FunctionBindingMetadata> bindings)
    {
        FunctionNames = functionNames;
        Bindings = bindings;
    }

    public IReadOnlyList<string> FunctionNames { get; }

    public IReadOnlyList<FunctionBindingMetadata> Bindings { get; }

    public IEnumerable<FunctionBindingMetadata> QueueBindings => Bindings.Where(b => b.IsQueue);

    /// <summary>Names of the app settings the bindings refer to as %Name% (schedules, queue names, ...), each once.</summary>
    public IReadOnlyList<string> SettingReferences() =>
        Bindings.SelectMany(b => b.Json.EnumerateObject())
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => SettingToken().Matches(p.Value.GetString()!).Select(m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    public static FunctionsMetadata Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"There is no {FileName} at '{path}': the isolated worker SDK writes it when the project is built or published.");
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (JsonException invalid)
        {
            throw new InvalidOperationException($"'{path}' is not a valid {FileName}: {invalid.Message}", invalid);
        }
    }

    public static FunctionsMetadata Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new JsonException($"{FileName} must be a JSON array of functions.");
        var names = new List<string>();
        var bindings = new List<FunctionBindingMetadata>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString() ?? throw new JsonException("A function has no name.");
            names.Add(name);
            if (!function.TryGetProperty("bindings", out var list) || list.ValueKind != JsonValueKind.Array)
                continue;
            foreach (var binding in list.EnumerateArray())
            {
                var copy = binding.Clone();
                bindings.Add(new FunctionBindingMetadata(
                    name,
                    copy.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "",
                    copy.TryGetProperty("direction", out var direction) ? direction.GetString() ?? "" : "",
                    copy));
            }
        }
        return new FunctionsMetadata(names, bindings);
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingToken();
}
