using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace TokenBroker.Hosting.Functions;

/// <summary>Reads one <c>[Function]</c> method's trigger and outputs, and checks that the standalone host can bind its parameters.</summary>
internal static class FunctionDeclaration
{
    public static DeclaredFunction Read(string name, FunctionMethod method)
    {
        var triggers = method.Parameters
            .Select(p => (parameter: p, trigger: p.GetCustomAttributes().FirstOrDefault(a => a is HttpTriggerAttribute or TimerTriggerAttribute or QueueTriggerAttribute)))
            .Where(t => t.trigger is not null)
            .ToList();
        if (triggers.Count != 1)
            throw Refuse(name, method, $"has {triggers.Count} trigger parameters; it needs exactly one (HttpTrigger, TimerTrigger or QueueTrigger)");
        if (method.Method.ReturnParameter.GetCustomAttributes().Any(a => a is OutputBindingAttribute))
            throw Refuse(name, method, "puts an output binding on its return value; return a type whose properties carry the output attributes instead");
        var (parameter, trigger) = triggers[0];
        DeclaredFunction definition = trigger switch
        {
            HttpTriggerAttribute http => new HttpFunction(name, http.Route ?? name, http.Methods ?? [], http.AuthLevel, method),
            TimerTriggerAttribute timer => new TimerFunction(name, timer.Schedule, timer.RunOnStartup, timer.UseMonitor, Outputs(name, method), method),
            QueueTriggerAttribute queue => new QueueFunction(name, queue.QueueName, queue.Connection ?? FunctionCatalog.DefaultConnection, Outputs(name, method), method),
            _ => throw new InvalidOperationException("unreachable"),
        };
        foreach (var other in method.Parameters.Where(p => p != parameter))
        {
            if (!ParameterBinding.CanBind(definition, other))
                throw Refuse(name, method, $"has a parameter '{other.Name}' ({other.ParameterType.Name}) the standalone host cannot supply; {ParameterBinding.Supported(definition)}");
        }
        if (!ParameterBinding.IsTriggerType(definition, parameter.ParameterType))
            throw Refuse(name, method, $"takes its trigger as {parameter.ParameterType.Name}; {ParameterBinding.Supported(definition)}");
        return definition;
    }

    /// <summary>The queue outputs: properties of the result type with <see cref="QueueOutputAttribute"/>, named by the property.</summary>
    private static IReadOnlyList<QueueOutputBinding> Outputs(string name, FunctionMethod method)
    {
        if (method.ResultType == typeof(void) || method.ResultType == typeof(string) || method.ResultType.IsPrimitive)
            return [];
        var outputs = new List<QueueOutputBinding>();
        foreach (var property in method.ResultType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<QueueOutputAttribute>() is { } queue)
                outputs.Add(new QueueOutputBinding(property.Name, queue.QueueName, queue.Connection ?? FunctionCatalog.DefaultConnection));
            else if (property.GetCustomAttributes().Any(a => a is OutputBindingAttribute))
                throw Refuse(name, method, $"has the output '{property.Name}' of a kind the standalone host does not write (only queue outputs)");
        }
        return outputs;
    }

    private static InvalidOperationException Refuse(string name, FunctionMethod method, string problem) =>
        new($"Function '{name}' ({method.DeclaringType.Name}.{method.Method.Name}) {problem}.");
}
