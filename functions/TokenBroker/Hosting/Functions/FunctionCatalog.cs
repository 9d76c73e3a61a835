using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Hosting.Functions;

/// <summary>
/// Every function of an app, found by reflection over its <c>[Function]</c> methods exactly as the worker SDK's
/// generator finds them for functions.metadata (a test keeps the two equal). The standalone host runs this list.
/// </summary>
public sealed class FunctionCatalog
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    public FunctionCatalog(IEnumerable<DeclaredFunction> functions)
    {
        Functions = functions.ToList();
        var duplicate = Functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The function name '{duplicate.Key}' is declared more than once.", nameof(functions));
        foreach (var function in Functions)
        {
            if (!IsValidName(function.Name))
                throw new ArgumentException($"The function name '{function.Name}' is not valid: use letters, digits, '-' and '_', starting with a letter.", nameof(functions));
        }
    }

    /// <summary>The functions declared by the public classes of <paramref name="assembly"/>.</summary>
    public static FunctionCatalog ForAssembly(Assembly assembly) => ForTypes(assembly.GetTypes());

    /// <summary>The functions declared by <paramref name="types"/>; a method the standalone host could not run is refused with a sentence.</summary>
    public static FunctionCatalog ForTypes(IEnumerable<Type> types) =>
        new(types
            .Where(type => type is { IsClass: true, IsAbstract: false } || type is { IsAbstract: true, IsSealed: true })
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(method => (type, method, attribute: method.GetCustomAttribute<FunctionAttribute>())))
            .Where(found => found.attribute is not null)
            .OrderBy(found => found.attribute!.Name, StringComparer.Ordinal)
            .Select(found => FunctionDeclaration.Read(found.attribute!.Name, new FunctionMethod(found.type, found.method))));

    public IReadOnlyList<DeclaredFunction> Functions { get; }

    public IEnumerable<HttpFunction> Http => Functions.OfType<HttpFunction>();
    public IEnumerable<TimerFunction> Timers => Functions.OfType<TimerFunction>();
    public IEnumerable<QueueFunction> Queues => Functions.OfType<QueueFunction>();

    public DeclaredFunction? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every queue named by a trigger or an output binding (unresolved: may hold %Setting% references).</summary>
    public IEnumerable<(string QueueName, string Connection)> AllQueues() =>
        Queues.Select(q => (q.QueueName, q.Connection))
            .Concat(Queues.SelectMany(q => q.Outputs).Select(o => (o.QueueName, o.Connection)))
            .Concat(Timers.SelectMany(t => t.Outputs).Select(o => (o.QueueName, o.Connection)))
            .Distinct();

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
