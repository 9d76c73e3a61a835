using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenBroker.Callers;

/// <summary>The stored form of a <see cref="BrokerClient"/>: readable JSON, operations by name.</summary>
internal static class BrokerClientJson
{
    private sealed record Stored(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("secretHash")] string SecretHash,
        [property: JsonPropertyName("mailboxes")] string[] Mailboxes,
        [property: JsonPropertyName("can")] string Operations,
        [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("entraObjectId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EntraObjectId = null);

    public static string Serialize(BrokerClient client) => JsonSerializer.Serialize(new Stored(
        client.Id, client.Name, client.SecretHash, [.. client.Mailboxes.Patterns], CallerOperationNames.Describe(client.Operations), client.CreatedAt,
        client.EntraObjectId));

    /// <summary>Null for a record that does not read back as a client (it then grants nothing).</summary>
    public static BrokerClient? Deserialize(string json)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(json);
            if (stored is null || !ClientSecret.IsValidId(stored.Id)) return null;
            if (string.IsNullOrEmpty(stored.SecretHash) && string.IsNullOrEmpty(stored.EntraObjectId)) return null;
            if (!MailboxScope.TryParse(string.Join(",", stored.Mailboxes ?? []), out var scope, out _)) return null;
            if (!CallerOperationNames.TryParse(stored.Operations, out var operations, out _)) return null;
            return new BrokerClient(stored.Id, stored.Name, stored.SecretHash ?? "", scope, operations, stored.CreatedAt) { EntraObjectId = stored.EntraObjectId };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
