using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenBroker.Store;

/// <summary>
/// The one JSON form of a <see cref="Mailbox"/> both stores keep. Serialization is deterministic (fixed property
/// order), so equal records give equal bytes and "unchanged" can be decided by comparing bytes.
/// </summary>
internal static class MailboxJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static byte[] Serialize(Mailbox mailbox) => JsonSerializer.SerializeToUtf8Bytes(mailbox, Options);

    public static Mailbox Deserialize(ReadOnlySpan<byte> utf8Json, string source)
    {
        try
        {
            var mailbox = JsonSerializer.Deserialize<Mailbox>(utf8Json, Options)
                ?? throw new InvalidDataException($"{source} holds JSON null instead of a mailbox record.");
            return mailbox with { GrantedScopes = mailbox.GrantedScopes ?? [] };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} does not hold a valid mailbox record: {e.Message}", e);
        }
    }
}
