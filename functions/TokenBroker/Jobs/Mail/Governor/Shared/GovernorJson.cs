using System.Text.Json;

namespace TokenBroker.Jobs.Mail.Governor.Shared;

/// <summary>The stored form of <see cref="MailboxGovernorRecord"/>.</summary>
internal static class GovernorJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static MailboxGovernorRecord Read(byte[] payload, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<MailboxGovernorRecord>(payload, Options) ?? new MailboxGovernorRecord();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where} is not a governor record: {e.Message}", e);
        }
    }
}
