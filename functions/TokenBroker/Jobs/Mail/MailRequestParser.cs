using System.Text.Json;
using TokenBroker.Jobs.Fetch.Sinks;

namespace TokenBroker.Jobs.Mail;

/// <summary>
/// Reads a mail request (schema version 1, docs/mail-requests.md) and checks it with <see cref="MailRequestValidator"/>.
/// The same code runs in the worker and behind POST /api/mail, so what the API accepts the worker accepts.
/// </summary>
public sealed class MailRequestParser(MailRequestLimits? limits = null, SinkCatalog? sinks = null)
{
    public const int SupportedVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    private readonly MailRequestValidator _validator = new(limits ?? new MailRequestLimits(), sinks);

    public ParsedMailRequest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            return Rejected(null, null, null, $"The request is not valid JSON: {exception.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Rejected(null, null, null, $"The request must be a JSON object; it is a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            if (HasUnreadableText(root))
                return Rejected(null, null, null, "The request contains a string that is not valid UTF-16 (a \\u escape of a lone surrogate such as \\ud800).");
            var id = StringProperty(root, "id");
            var kind = StringProperty(root, "kind");
            var mailbox = StringProperty(root, kind == "fetch" ? "mailbox" : "from");

            var problems = new List<string>();
            if (!root.TryGetProperty("version", out var version))
                problems.Add($"The request has no \"version\"; this broker understands version {SupportedVersion}.");
            else if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != SupportedVersion)
                problems.Add($"Unknown version {Shorten(version.GetRawText())}; this broker understands version {SupportedVersion}.");
            if (kind is null)
                problems.Add("The request has no \"kind\"; use \"send\" or \"fetch\".");
            else if (kind is not ("send" or "fetch"))
                problems.Add($"Unknown kind \"{Shorten(kind)}\"; use \"send\" or \"fetch\".");
            if (problems.Count > 0)
                return new ParsedMailRequest(kind, id, mailbox, null, null, problems);

            MailRequestShape.Check(root, kind!, problems);
            if (problems.Count > 0)
                return new ParsedMailRequest(kind, id, mailbox, null, null, problems);
            try
            {
                if (kind == "send")
                {
                    var send = root.Deserialize<SendRequest>(Json) ?? new SendRequest();
                    problems.AddRange(_validator.Validate(send));
                    return new ParsedMailRequest(kind, id, mailbox, problems.Count == 0 ? send : null, null, problems);
                }
                var fetch = root.Deserialize<FetchRequest>(Json) ?? new FetchRequest();
                problems.AddRange(_validator.Validate(fetch));
                return new ParsedMailRequest(kind, id, mailbox, null, problems.Count == 0 ? MailRequestValidator.Normalize(fetch) : null, problems);
            }
            catch (JsonException exception)
            {
                var where = exception.Path is { Length: > 1 } path ? $" at {path}" : "";
                problems.Add($"A field of the {kind} request has the wrong type{where}: {FirstSentence(exception.Message)}");
                return new ParsedMailRequest(kind, id, mailbox, null, null, problems);
            }
        }
    }

    private static ParsedMailRequest Rejected(string? kind, string? id, string? mailbox, string problem) =>
        new(kind, id, mailbox, null, null, [problem]);

    private static string? StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>JsonDocument accepts "\ud800" but cannot return it as a string: find such text before anything reads it.</summary>
    private static bool HasUnreadableText(JsonElement root)
    {
        try
        {
            ReadAllText(root);
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void ReadAllText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) ReadAllText(item);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    ReadAllText(property.Value);
                }
                break;
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
