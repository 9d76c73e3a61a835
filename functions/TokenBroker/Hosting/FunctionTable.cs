using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting;

/// <summary>
/// The single place where functions and their triggers are declared. The custom-handler face, the standalone
/// scheduler and queue listeners, and the generated function.json files are all derived from it.
/// </summary>
public sealed class FunctionTable
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    public FunctionTable(IEnumerable<FunctionDefinition> functions)
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

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    public IEnumerable<HttpFunction> Http => Functions.OfType<HttpFunction>();
    public IEnumerable<TimerFunction> Timers => Functions.OfType<TimerFunction>();
    public IEnumerable<QueueFunction> Queues => Functions.OfType<QueueFunction>();

    public FunctionDefinition? Find(string name) =>
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
