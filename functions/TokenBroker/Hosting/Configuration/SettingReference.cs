using Microsoft.Extensions.Configuration;

namespace TokenBroker.Hosting.Configuration;

/// <summary>
/// The Functions host's <c>%Setting%</c> indirection: a binding value wrapped in percent signs is read from
/// the app setting of that name. Resolved the same way standalone so one table serves both modes.
/// </summary>
public static class SettingReference
{
    public static bool IsReference(string value) => value.Length > 2 && value[0] == '%' && value[^1] == '%';

    public static string Resolve(string value, IConfiguration configuration)
    {
        if (!IsReference(value))
            return value;
        var setting = value[1..^1];
        var resolved = configuration[setting] ?? configuration[setting.Replace("__", ":", StringComparison.Ordinal)];
        return string.IsNullOrWhiteSpace(resolved)
            ? throw new InvalidOperationException($"Setting '{setting}' is required: a function refers to it as {value}.")
            : resolved;
    }
}
