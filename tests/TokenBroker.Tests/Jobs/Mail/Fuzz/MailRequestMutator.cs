using System.Text;
using System.Text.Json.Nodes;

namespace TokenBroker.Tests.Jobs.Mail.Fuzz;

/// <summary>
/// Mail requests for fuzzing, from a fixed seed: valid send and fetch requests with one to three random mutations
/// (a field removed, nulled, retyped, renamed, nested or filled with hostile text), truncated requests, and random text.
/// The same seed gives the same cases, so a failure can be replayed by its case number.
/// </summary>
internal sealed class MailRequestMutator(int seed)
{
    // Marker replaced in the serialized text by a lone surrogate escape, which a JSON writer refuses to produce.
    private const string LoneSurrogateMarker = "@@LONE-SURROGATE@@";

    private static readonly string[] ValidRequests =
    [
        """{"version":1,"kind":"send","id":"fuzz-1","from":"Sales <sales@contoso.com>","to":["alice@example.com","Bob <bob@example.com>"],"cc":["c@example.com"],"bcc":["d@example.com"],"replyTo":"help@contoso.com","subject":"Hello","text":"Hi","html":"<p>Hi <img src=\"cid:logo\"></p>","attachments":[{"name":"a.txt","contentType":"text/plain","contentBase64":"aGVsbG8="},{"name":"logo.png","contentBase64":"iVBORw0KGgo=","contentId":"logo"}],"headers":{"X-Ticket":"42","In-Reply-To":"<a@b>"}}""",
        """{"version":1,"kind":"send","id":"fuzz-2","from":"sales@contoso.com","to":["alice@example.com"],"text":"Hi"}""",
        """{"version":1,"kind":"fetch","id":"fuzz-3","mailbox":"support@contoso.com","protocol":"imap","folder":"INBOX","maxMessages":10,"afterFetch":"move","moveTo":"Done","sink":{"name":"archive","folder":"support/2026"}}""",
        """{"version":1,"kind":"fetch","id":"fuzz-4","mailbox":"support@contoso.com","protocol":"pop3","afterFetch":"delete","sink":{"name":"helpdesk"}}""",
    ];

    private static readonly string[] HostileText =
    [
        "", " ", "\r\n", "a\rb", "x\u0000y", "\t", "../../etc/passwd", "/etc/cron.d", "C:\\Windows", "support/../..", ".",
        "=?utf-8?B?" + Convert.ToBase64String("Eve\r\nBcc: victim@example.com"u8.ToArray()) + "?= <eve@example.com>",
        "=?utf-8?Q?=0D=0A?= <x@example.com>", "\"quoted\\\"\" <q@example.com>", "<>", "@", "a@", "@b", "a@b@c",
        "ünïcödé@例え.jp", "😀", "\u202Eevil", "%0d%0a", "${jndi:ldap://x}", "null", "0", "-1", "1e999",
        "whsec_AAAA", "http://127.0.0.1:8080/admin", "Broker:AdminKey", "OAuth:ClientSecret", "Content-Type", "Bcc",
        "X-" + new string('h', 300), new string('x', 5000), new string('a', 129), LoneSurrogateMarker,
    ];

    private static readonly string[] FieldNames =
    [
        "version", "kind", "id", "from", "to", "cc", "bcc", "replyTo", "subject", "text", "html", "attachments", "headers",
        "mailbox", "protocol", "folder", "maxMessages", "afterFetch", "moveTo", "sink", "name", "folder", "contentBase64",
        "contentType", "contentId", "type", "url", "path", "secretSetting", "To", "__proto__", "",
    ];

    private readonly Random _random = new(seed);

    public string Next()
    {
        var roll = _random.Next(20);
        var valid = ValidRequests[_random.Next(ValidRequests.Length)];
        if (roll == 0) return RandomText();
        if (roll == 1) return valid[.._random.Next(valid.Length)];
        var root = JsonNode.Parse(valid)!;
        var mutations = 1 + _random.Next(3);
        for (var i = 0; i < mutations; i++) root = Mutate(root);
        return root.ToJsonString().Replace(LoneSurrogateMarker, "\\ud800", StringComparison.Ordinal);
    }

    private JsonNode Mutate(JsonNode root)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var target = containers[_random.Next(containers.Count)];
        switch (target)
        {
            case JsonObject obj when obj.Count > 0 && _random.Next(4) == 0:
                obj.Remove(obj.ElementAt(_random.Next(obj.Count)).Key);
                break;
            case JsonObject obj when obj.Count > 0 && _random.Next(3) != 0:
                obj[obj.ElementAt(_random.Next(obj.Count)).Key] = RandomValue(2);
                break;
            case JsonObject obj:
                obj[FieldNames[_random.Next(FieldNames.Length)]] = RandomValue(2);
                break;
            case JsonArray array when array.Count > 0 && _random.Next(2) == 0:
                array[_random.Next(array.Count)] = RandomValue(2);
                break;
            case JsonArray array:
                var copies = _random.Next(5) == 0 ? 600 : 1;
                for (var i = 0; i < copies; i++) array.Add(RandomValue(1));
                break;
        }
        return _random.Next(40) == 0 ? new JsonArray(root) : root;
    }

    private static void Collect(JsonNode node, List<JsonNode> containers)
    {
        if (node is JsonObject obj)
        {
            containers.Add(obj);
            foreach (var (_, child) in obj) if (child is not null) Collect(child, containers);
        }
        else if (node is JsonArray array)
        {
            containers.Add(array);
            foreach (var child in array) if (child is not null) Collect(child, containers);
        }
    }

    private JsonNode? RandomValue(int depth) => _random.Next(depth > 0 ? 9 : 6) switch
    {
        0 => null,
        1 => JsonValue.Create(_random.Next(2) == 0),
        2 => JsonValue.Create(new long[] { 0, -1, 1, int.MaxValue, long.MaxValue, 1000, 1001 }[_random.Next(7)]),
        3 => JsonValue.Create(new double[] { 1.5, -0.0, 1e308, 3.0 }[_random.Next(4)]),
        4 or 5 => JsonValue.Create(HostileText[_random.Next(HostileText.Length)]),
        6 => new JsonArray([.. Enumerable.Range(0, _random.Next(4)).Select(_ => RandomValue(depth - 1))]),
        7 => new JsonObject(Enumerable.Range(0, _random.Next(4))
            .Select(i => new KeyValuePair<string, JsonNode?>(FieldNames[_random.Next(FieldNames.Length)] + (i == 0 ? "" : i.ToString(System.Globalization.CultureInfo.InvariantCulture)), RandomValue(depth - 1)))),
        _ => JsonValue.Create(RandomText()),
    };

    private string RandomText()
    {
        var builder = new StringBuilder();
        var length = _random.Next(60);
        const string alphabet = "{}[]\":,0123456789.-+eEtruefalsn \\/\r\n\t@<>=?abcdefxyzü€😀\u0000";
        for (var i = 0; i < length; i++)
        {
            var c = alphabet[_random.Next(alphabet.Length)];
            builder.Append(char.IsSurrogate(c) ? 'x' : c);
        }
        return builder.ToString();
    }
}
