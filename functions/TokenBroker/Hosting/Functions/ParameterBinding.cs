using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace TokenBroker.Hosting.Functions;

/// <summary>
/// The parameters the standalone host supplies, the same way the isolated worker binds them: the trigger's payload,
/// a CancellationToken, and trigger metadata by parameter name (a queue message's id and dequeueCount, HTTP route values).
/// </summary>
internal static class ParameterBinding
{
    private static readonly Dictionary<string, Type[]> QueueMetadata = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = [typeof(string)],
        ["popReceipt"] = [typeof(string)],
        ["dequeueCount"] = [typeof(long), typeof(int)],
        ["insertionTime"] = [typeof(DateTimeOffset), typeof(DateTimeOffset?)],
        ["expirationTime"] = [typeof(DateTimeOffset), typeof(DateTimeOffset?)],
        ["nextVisibleTime"] = [typeof(DateTimeOffset), typeof(DateTimeOffset?)],
    };

    public static bool IsTriggerType(DeclaredFunction function, Type type) => function switch
    {
        HttpFunction => type == typeof(HttpRequest),
        TimerFunction => type == typeof(TimerInfo),
        QueueFunction => type == typeof(string),
        _ => false,
    };

    public static bool CanBind(DeclaredFunction function, ParameterInfo parameter) =>
        parameter.ParameterType == typeof(CancellationToken) || function switch
        {
            HttpFunction http => parameter.ParameterType == typeof(string) && http.Route.Contains("{" + parameter.Name, StringComparison.OrdinalIgnoreCase),
            QueueFunction => QueueMetadata.TryGetValue(parameter.Name!, out var types) && types.Contains(parameter.ParameterType),
            _ => false,
        };

    public static string Supported(DeclaredFunction function) => function switch
    {
        HttpFunction => "an HTTP function takes an HttpRequest, a CancellationToken and route values as strings",
        TimerFunction => "a timer function takes a TimerInfo and a CancellationToken",
        _ => "a queue function takes the message as a string, a CancellationToken, and id, popReceipt, dequeueCount, insertionTime, expirationTime or nextVisibleTime",
    };

    /// <summary>The arguments of one invocation; <paramref name="trigger"/> is the payload for the trigger parameter.</summary>
    public static object?[] Arguments(DeclaredFunction function, object trigger, CancellationToken cancellationToken,
        Func<string, object?> metadata)
    {
        var parameters = function.Method.Parameters;
        var arguments = new object?[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            arguments[i] = parameter.ParameterType == typeof(CancellationToken) ? cancellationToken
                : IsTriggerType(function, parameter.ParameterType) && IsTriggerParameter(parameter) ? trigger
                : ConvertMetadata(metadata(parameter.Name!), parameter.ParameterType);
        }
        return arguments;
    }

    private static bool IsTriggerParameter(ParameterInfo parameter) =>
        parameter.GetCustomAttributes().Any(a => a is HttpTriggerAttribute or TimerTriggerAttribute or QueueTriggerAttribute);

    private static object? ConvertMetadata(object? value, Type type) =>
        value is long count && type == typeof(int) ? (int)count : value;
}
