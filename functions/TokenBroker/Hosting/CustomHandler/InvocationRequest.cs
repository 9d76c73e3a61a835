using System.Globalization;
using System.Text.Json;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Hosting.CustomHandler;

/// <summary>
/// Reads the Functions host's invocation payload, <c>{"Data": {binding: value}, "Metadata": {...}}</c>.
/// Every shape problem becomes an <see cref="InvalidInvocationException"/> whose message is a sentence for a 400.
/// </summary>
internal static class InvocationRequest
{
    public static JsonElement ReadData(JsonDocument payload, string functionName)
    {
        if (payload.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidInvocationException($"The invocation body for '{functionName}' must be a JSON object with 'Data' and 'Metadata'.");
        return TryGetProperty(payload.RootElement, "Data", out var data) && data.ValueKind == JsonValueKind.Object
            ? data
            : throw new InvalidInvocationException($"The invocation body for '{functionName}' has no 'Data' object.");
    }

    public static JsonElement ReadMetadata(JsonDocument payload) =>
        TryGetProperty(payload.RootElement, "Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            ? metadata
            : default;

    /// <summary>
    /// The host serializes a string queue message once more ("\"text\""), and may pass a JSON message as an
    /// object: both come back as the message's original text.
    /// </summary>
    public static QueueTriggerMessage ReadQueueMessage(JsonDocument payload, string functionName, string bindingName)
    {
        var data = ReadData(payload, functionName);
        if (!TryGetProperty(data, bindingName, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            throw new InvalidInvocationException($"The invocation for queue function '{functionName}' has no message in Data.{bindingName}.");
        var text = value.ValueKind == JsonValueKind.String ? UnwrapSerializedString(value.GetString()!) : value.GetRawText();

        var metadata = ReadMetadata(payload);
        return new QueueTriggerMessage(
            text,
            Id: ReadString(metadata, "Id") ?? "",
            DequeueCount: ReadLong(metadata, "DequeueCount", functionName) ?? 1,
            InsertionTime: ReadDate(metadata, "InsertionTime", functionName),
            ExpirationTime: ReadDate(metadata, "ExpirationTime", functionName),
            NextVisibleTime: ReadDate(metadata, "NextVisibleTime", functionName),
            PopReceipt: ReadString(metadata, "PopReceipt"));
    }

    public static TimerInfo ReadTimer(JsonDocument payload, string functionName, string bindingName)
    {
        var data = ReadData(payload, functionName);
        if (!TryGetProperty(data, bindingName, out var value))
            throw new InvalidInvocationException($"The invocation for timer function '{functionName}' has no timer in Data.{bindingName}.");
        using var nested = value.ValueKind == JsonValueKind.String ? ParseNested(value.GetString()!, functionName, bindingName) : null;
        var timer = nested?.RootElement ?? value;
        if (timer.ValueKind != JsonValueKind.Object)
            throw new InvalidInvocationException($"Data.{bindingName} for timer function '{functionName}' must be an object with IsPastDue and ScheduleStatus.");

        var isPastDue = TryGetProperty(timer, "IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True;
        DateTimeOffset? last = null, next = null;
        if (TryGetProperty(timer, "ScheduleStatus", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            last = ReadDate(status, "Last", functionName);
            next = ReadDate(status, "Next", functionName);
        }
        return new TimerInfo(isPastDue, last, next);
    }

    private static string UnwrapSerializedString(string text)
    {
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try { return JsonSerializer.Deserialize<string>(text) ?? text; }
            catch (JsonException) { return text; }
        }
        return text;
    }

    private static JsonDocument ParseNested(string json, string functionName, string bindingName)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException)
        {
            throw new InvalidInvocationException($"Data.{bindingName} for timer function '{functionName}' is a string that is not JSON.");
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
            return false;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }

    private static string? ReadString(JsonElement element, string name) =>
        TryGetProperty(element, name, out var value) && value.ValueKind == JsonValueKind.String ? UnwrapSerializedString(value.GetString()!) : null;

    private static long? ReadLong(JsonElement element, string name, string functionName)
    {
        if (!TryGetProperty(element, name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
            return number;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(UnwrapSerializedString(value.GetString()!), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
            return number;
        throw new InvalidInvocationException($"Metadata.{name} for '{functionName}' must be a whole number.");
    }

    private static DateTimeOffset? ReadDate(JsonElement element, string name, string functionName)
    {
        if (!TryGetProperty(element, name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(UnwrapSerializedString(value.GetString()!), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date;
        throw new InvalidInvocationException($"{name} for '{functionName}' must be a date and time.");
    }
}

internal sealed class InvalidInvocationException(string message) : Exception(message);
