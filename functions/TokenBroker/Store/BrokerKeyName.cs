using System.Text.RegularExpressions;

namespace TokenBroker.Store;

internal static partial class BrokerKeyName
{
    public static void Validate(string name, int sizeBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ValidName().IsMatch(name))
            throw new ArgumentException($"Broker key name '{name}' is invalid: use 1 to 64 of [0-9a-zA-Z-].", nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeBytes, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sizeBytes, 4096);
    }

    public static void CheckSize(string name, byte[] key, int sizeBytes)
    {
        if (key.Length != sizeBytes)
            throw new InvalidOperationException($"Broker key '{name}' exists with {key.Length} bytes, but {sizeBytes} were asked for.");
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,64}$")]
    private static partial Regex ValidName();
}
