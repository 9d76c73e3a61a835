using System.Text.Json;

namespace TokenBroker.Jobs.Ledger;

/// <summary>The JSON forms of ledger entries (blob bodies, SQLite checkpoint payloads). Deterministic: equal entries give equal bytes.</summary>
internal static class LedgerJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize(SentRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, Options);

    public static byte[] Serialize(SendAttempt attempt) => JsonSerializer.SerializeToUtf8Bytes(attempt, Options);

    public static SendAttempt DeserializeAttempt(ReadOnlySpan<byte> utf8Json, string source) =>
        Deserialize<SendAttempt>(utf8Json, source) is { MessageId: not null } attempt
            ? attempt
            : throw new InvalidDataException($"{source} does not hold a send attempt (no messageId).");

    public static byte[] Serialize(FetchCheckpoint checkpoint) =>
        JsonSerializer.SerializeToUtf8Bytes(checkpoint with { Pop3Uidls = checkpoint.Pop3Uidls ?? [] }, Options);

    public static SentRecord DeserializeSent(ReadOnlySpan<byte> utf8Json, string source) =>
        Deserialize<SentRecord>(utf8Json, source) is { MessageId: not null } record
            ? record
            : throw new InvalidDataException($"{source} does not hold a sent record (no messageId).");

    public static FetchCheckpoint DeserializeCheckpoint(ReadOnlySpan<byte> utf8Json, string source)
    {
        var checkpoint = Deserialize<FetchCheckpoint>(utf8Json, source);
        return checkpoint with { Pop3Uidls = checkpoint.Pop3Uidls ?? [] };
    }

    private static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, string source) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8Json, Options) ?? throw new InvalidDataException($"{source} holds JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not valid ledger JSON: {e.Message}", e);
        }
    }
}
