using System.Collections;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenBroker.Hosting.Functions;

/// <summary>Runs one timer or queue invocation in its own DI scope and reads the queue outputs it returned (standalone).</summary>
public sealed class FunctionInvoker(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public Task<FunctionRunResult> InvokeTimerAsync(TimerFunction function, TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync(function, function.Outputs, ParameterBinding.Arguments(function, timer, cancellationToken, _ => null));

    public Task<FunctionRunResult> InvokeQueueAsync(QueueFunction function, QueueTriggerMessage message, CancellationToken cancellationToken) =>
        RunAsync(function, function.Outputs, ParameterBinding.Arguments(function, message.Text, cancellationToken, message.Metadata));

    private async Task<FunctionRunResult> RunAsync(DeclaredFunction function, IReadOnlyList<QueueOutputBinding> outputs, object?[] arguments)
    {
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            var result = await function.Method.InvokeAsync(scope.ServiceProvider, arguments).ConfigureAwait(false);
            return new FunctionRunResult(ReadOutputs(outputs, result), Failure: null);
        }
        catch (Exception exception)
        {
            loggers.CreateLogger($"Function.{function.Name}").LogError("Function '{Function}' failed: {Reason}", function.Name, exception.Message);
            return new FunctionRunResult(new Dictionary<string, IReadOnlyList<string>>(), exception);
        }
    }

    /// <summary>Each output property's messages: a string is one message, a collection one per element, null none.</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> ReadOutputs(IReadOnlyList<QueueOutputBinding> outputs, object? result)
    {
        var messages = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (result is null)
            return messages;
        foreach (var output in outputs)
        {
            var value = result.GetType().GetProperty(output.BindingName)!.GetValue(result);
            IReadOnlyList<string> texts = value switch
            {
                null => [],
                string text => [text],
                IEnumerable many => many.Cast<object?>().Where(item => item is not null).Select(item => item as string ?? System.Text.Json.JsonSerializer.Serialize(item)).ToList(),
                _ => [System.Text.Json.JsonSerializer.Serialize(value)],
            };
            if (texts.Count > 0)
                messages[output.BindingName] = texts;
        }
        return messages;
    }
}

/// <summary>What an invocation produced: queue messages by output (valid only on success), and the failure if any.</summary>
public sealed record FunctionRunResult(IReadOnlyDictionary<string, IReadOnlyList<string>> Outputs, Exception? Failure)
{
    public bool Succeeded => Failure is null;
}

/// <summary>A queue message and the trigger metadata the Functions host binds by parameter name.</summary>
public sealed record QueueTriggerMessage(
    string Text,
    string Id,
    long DequeueCount,
    DateTimeOffset? InsertionTime,
    DateTimeOffset? ExpirationTime,
    DateTimeOffset? NextVisibleTime,
    string? PopReceipt)
{
    public object? Metadata(string name) => name.ToLowerInvariant() switch
    {
        "id" => Id,
        "dequeuecount" => DequeueCount,
        "insertiontime" => InsertionTime,
        "expirationtime" => ExpirationTime,
        "nextvisibletime" => NextVisibleTime,
        "popreceipt" => PopReceipt,
        _ => null,
    };
}
