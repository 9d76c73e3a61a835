using System.Text.Json;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Checks the JSON types of a mail request before it is read into objects, so that a null or wrong-typed field becomes
/// a sentence naming it instead of an exception or a silently empty list. Optional text fields may be null (the same as
/// leaving them out); lists, objects and required fields may not. Names are case-sensitive and unknown ones refused.
/// </summary>
internal static class MailRequestShape
{
    private enum Expect { Text, OptionalText, Integer, AddressList, Attachments, Headers, Sink }

    private static readonly IReadOnlyDictionary<string, Expect> Send = new Dictionary<string, Expect>(StringComparer.Ordinal)
    {
        ["id"] = Expect.Text, ["from"] = Expect.Text, ["to"] = Expect.AddressList, ["cc"] = Expect.AddressList, ["bcc"] = Expect.AddressList,
        ["replyTo"] = Expect.OptionalText, ["subject"] = Expect.OptionalText, ["text"] = Expect.OptionalText, ["html"] = Expect.OptionalText,
        ["attachments"] = Expect.Attachments, ["headers"] = Expect.Headers,
    };

    private static readonly IReadOnlyDictionary<string, Expect> Fetch = new Dictionary<string, Expect>(StringComparer.Ordinal)
    {
        ["id"] = Expect.Text, ["mailbox"] = Expect.Text, ["protocol"] = Expect.Text, ["folder"] = Expect.OptionalText,
        ["maxMessages"] = Expect.Integer, ["afterFetch"] = Expect.OptionalText, ["moveTo"] = Expect.OptionalText, ["sink"] = Expect.Sink,
    };

    private static readonly IReadOnlyDictionary<string, Expect> Attachment = new Dictionary<string, Expect>(StringComparer.Ordinal)
    {
        ["name"] = Expect.Text, ["contentType"] = Expect.OptionalText, ["contentBase64"] = Expect.Text, ["contentId"] = Expect.OptionalText,
    };

    private static readonly IReadOnlyDictionary<string, Expect> SinkFields = new Dictionary<string, Expect>(StringComparer.Ordinal)
    {
        ["name"] = Expect.Text, ["folder"] = Expect.OptionalText,
    };

    private static readonly HashSet<string> FormerSinkFields = new(StringComparer.Ordinal) { "type", "url", "secretSetting", "path" };

    /// <summary>Adds a sentence to <paramref name="problems"/> for every field of <paramref name="root"/> (a send or
    /// fetch request object) that is unknown or of the wrong JSON type.</summary>
    public static void Check(JsonElement root, string kind, List<string> problems)
    {
        var fields = kind == "send" ? Send : Fetch;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is "version" or "kind") continue;
            if (!fields.TryGetValue(property.Name, out var expect))
                problems.Add($"\"{Shorten(property.Name)}\" is not a field of a {kind} request (names are case-sensitive; see docs/mail-requests.md).");
            else
                CheckValue(property.Value, expect, $"\"{property.Name}\"", problems);
        }
    }

    private static void CheckValue(JsonElement value, Expect expect, string where, List<string> problems)
    {
        switch (expect)
        {
            case Expect.Text when value.ValueKind != JsonValueKind.String:
                problems.Add($"{where} must be a string; it is {Describe(value)}.");
                break;
            case Expect.OptionalText when value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null):
                problems.Add($"{where} must be a string (or left out); it is {Describe(value)}.");
                break;
            case Expect.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out _):
                problems.Add($"{where} must be a whole number; it is {Describe(value)}.");
                break;
            case Expect.AddressList:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{where} must be a list of addresses (leave it out for none); it is {Describe(value)}.");
                    break;
                }
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        problems.Add($"{where} item {index + 1} must be an address string; it is {Describe(item)}.");
                    index++;
                }
                break;
            case Expect.Attachments:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    problems.Add($"{where} must be a list of attachment objects (leave it out for none); it is {Describe(value)}.");
                    break;
                }
                var number = 0;
                foreach (var item in value.EnumerateArray())
                    CheckObject(item, Attachment, $"Attachment {++number}", problems);
                break;
            case Expect.Headers:
                if (value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{where} must be an object of header names and string values (leave it out for none); it is {Describe(value)}.");
                    break;
                }
                foreach (var header in value.EnumerateObject())
                {
                    if (header.Value.ValueKind != JsonValueKind.String)
                        problems.Add($"The value of header \"{Shorten(header.Name)}\" must be a string; it is {Describe(header.Value)}.");
                }
                break;
            case Expect.Sink:
                if (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().Any(p => FormerSinkFields.Contains(p.Name)))
                {
                    problems.Add("\"sink\" names a sink the operator configured ({\"name\": \"helpdesk\"}); a request can no longer give a type, url, path or secret setting (see docs/mail-requests.md).");
                    break;
                }
                CheckObject(value, SinkFields, where, problems);
                break;
        }
    }

    private static void CheckObject(JsonElement value, IReadOnlyDictionary<string, Expect> fields, string where, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where} must be an object; it is {Describe(value)}.");
            return;
        }
        foreach (var property in value.EnumerateObject())
        {
            if (!fields.TryGetValue(property.Name, out var expect))
                problems.Add($"{where}: \"{Shorten(property.Name)}\" is not one of its fields ({string.Join(", ", fields.Keys)}).");
            else
                CheckValue(property.Value, expect, $"{where}: \"{property.Name}\"", problems);
        }
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "missing",
    };

    private static string Shorten(string value)
    {
        var printable = new string(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return printable.Length <= 80 ? printable : printable[..80] + "…";
    }
}
