using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>Each kind of bad request is refused with a sentence naming its problem; good ones parse.</summary>
public sealed class MailRequestValidationTests
{
    internal static readonly SinkCatalog Sinks = SinkCatalog.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sinks:Webhooks:helpdesk:Url"] = "https://helpdesk.example.com/pipe",
        ["Sinks:Webhooks:helpdesk:Secret"] = "whsec_dGVzdC13ZWJob29rLXNpZ25pbmcta2V5LTMyYnl0ZXM=",
        ["Sinks:Maildirs:archive:Root"] = "/var/mail/archive",
    }).Build());

    private static readonly MailRequestParser Parser = new(new MailRequestLimits { MaxMessageBytes = 1000 }, Sinks);

    private static JsonObject Send() => new()
    {
        ["version"] = 1,
        ["kind"] = "send",
        ["id"] = "order-42:confirmation",
        ["from"] = "sales@contoso.com",
        ["to"] = new JsonArray("Alice <alice@example.com>"),
        ["subject"] = "Your order",
        ["text"] = "Thanks.",
    };

    private static JsonObject Fetch() => new()
    {
        ["version"] = 1,
        ["kind"] = "fetch",
        ["id"] = "poll-1",
        ["mailbox"] = "support@contoso.com",
        ["protocol"] = "IMAP",
        ["sink"] = new JsonObject { ["name"] = "archive" },
    };

    private static string OnlyProblem(JsonObject request)
    {
        var parsed = Parser.Parse(request.ToJsonString());
        return Assert.Single(parsed.Problems);
    }

    [Fact]
    public void A_complete_send_request_parses_with_no_problem()
    {
        var request = Send();
        request["cc"] = new JsonArray("bob@example.com");
        request["bcc"] = new JsonArray("audit@contoso.com");
        request["html"] = "<p>Thanks <img src=\"cid:logo\"></p>";
        request["attachments"] = new JsonArray(
            new JsonObject { ["name"] = "a.txt", ["contentType"] = "text/plain", ["contentBase64"] = "aGVsbG8=" },
            new JsonObject { ["name"] = "logo.png", ["contentBase64"] = "iVBORw0KGgo=", ["contentId"] = "logo" });
        request["headers"] = new JsonObject { ["X-Ticket"] = "42", ["In-Reply-To"] = "<a@b>" };

        var parsed = Parser.Parse(request.ToJsonString());

        Assert.Empty(parsed.Problems);
        Assert.Equal("order-42:confirmation", parsed.Send!.Id);
        Assert.Equal(["alice@example.com", "bob@example.com", "audit@contoso.com"], parsed.Send.AllRecipients.Select(a => TokenBroker.Mail.Mime.MailboxAddress.Parse(a).Address));
    }

    [Fact]
    public void A_fetch_request_parses_with_its_defaults_filled_in()
    {
        var parsed = Parser.Parse(Fetch().ToJsonString());

        Assert.Empty(parsed.Problems);
        Assert.Equal("imap", parsed.Fetch!.Protocol);
        Assert.Equal("INBOX", parsed.Fetch.Folder);
        Assert.Equal(50, parsed.Fetch.MaxMessages);
        Assert.Equal("none", parsed.Fetch.AfterFetch);
        Assert.Equal("archive", parsed.Fetch.Sink.Name);
    }

    [Fact]
    public void Text_that_is_not_json_is_refused_as_invalid_json() =>
        Assert.StartsWith("The request is not valid JSON", Assert.Single(Parser.Parse("{\"version\":1,").Problems));

    [Fact]
    public void A_json_array_is_refused_as_not_an_object() =>
        Assert.Equal("The request must be a JSON object; it is a JSON array.", Assert.Single(Parser.Parse("[]").Problems));

    [Fact]
    public void An_unknown_version_is_refused()
    {
        var request = Send();
        request["version"] = 2;
        Assert.Equal("Unknown version 2; this broker understands version 1.", OnlyProblem(request));
    }

    [Fact]
    public void A_missing_version_is_refused()
    {
        var request = Send();
        request.Remove("version");
        Assert.Equal("The request has no \"version\"; this broker understands version 1.", OnlyProblem(request));
    }

    [Fact]
    public void An_unknown_kind_is_refused()
    {
        var request = Send();
        request["kind"] = "forward";
        Assert.Equal("Unknown kind \"forward\"; use \"send\" or \"fetch\".", OnlyProblem(request));
    }

    [Fact]
    public void A_misspelt_field_is_refused_by_name()
    {
        var request = Send();
        request["subjet"] = "x";
        Assert.StartsWith("\"subjet\" is not a field of a send request", OnlyProblem(request));
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_refused_naming_the_field()
    {
        var request = Send();
        request["to"] = "alice@example.com";
        Assert.Equal("\"to\" must be a list of addresses (leave it out for none); it is a string.", OnlyProblem(request));
    }

    [Fact]
    public void A_missing_id_is_refused()
    {
        var request = Send();
        request.Remove("id");
        Assert.Equal("The request has no \"id\" (its idempotency key).", OnlyProblem(request));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    [InlineData("ünicode")]
    public void An_id_outside_the_allowed_characters_is_refused(string id)
    {
        var request = Send();
        request["id"] = id;
        Assert.StartsWith("The id must be 1-128 characters of letters, digits and . _ : @ -", OnlyProblem(request));
    }

    [Fact]
    public void An_id_longer_than_128_characters_is_refused()
    {
        var request = Send();
        request["id"] = new string('a', 129);
        Assert.StartsWith("The id must be 1-128 characters", OnlyProblem(request));
    }

    [Fact]
    public void A_missing_from_is_refused()
    {
        var request = Send();
        request.Remove("from");
        Assert.Equal("\"from\" needs a mail address; it is empty or missing.", OnlyProblem(request));
    }

    [Fact]
    public void An_invalid_recipient_address_is_refused_naming_the_field()
    {
        var request = Send();
        request["cc"] = new JsonArray("not-an-address");
        Assert.StartsWith("The \"cc\" address \"not-an-address\" is not valid", OnlyProblem(request));
    }

    [Fact]
    public void A_request_without_recipients_is_refused()
    {
        var request = Send();
        request["to"] = new JsonArray();
        Assert.StartsWith("The request has no recipient", OnlyProblem(request));
    }

    [Fact]
    public void A_line_break_in_an_address_is_refused_as_header_injection()
    {
        var request = Send();
        request["to"] = new JsonArray("alice@example.com\r\nBcc: victim@example.com");
        Assert.Contains("contains a line break (CR or LF)", OnlyProblem(request));
    }

    [Fact]
    public void A_line_break_in_the_subject_is_refused_as_header_injection()
    {
        var request = Send();
        request["subject"] = "Hello\nBcc: victim@example.com";
        Assert.Equal("The subject contains a line break (CR or LF); refused because it could inject headers.", OnlyProblem(request));
    }

    [Fact]
    public void A_line_break_in_a_header_value_is_refused()
    {
        var request = Send();
        request["headers"] = new JsonObject { ["X-Ticket"] = "42\r\nBcc: victim@example.com" };
        Assert.Equal("The value of header \"X-Ticket\" contains a line break (CR or LF); refused because it could inject headers.", OnlyProblem(request));
    }

    [Fact]
    public void A_header_name_that_is_not_a_field_name_is_refused()
    {
        var request = Send();
        request["headers"] = new JsonObject { ["X Ticket"] = "42" };
        Assert.Equal("\"X Ticket\" is not a valid header name (printable ASCII without spaces or ':').", OnlyProblem(request));
    }

    [Theory]
    [InlineData("Bcc")]
    [InlineData("message-id")]
    [InlineData("Received")]
    [InlineData("Resent-From")]
    public void A_header_the_broker_writes_itself_is_refused(string name)
    {
        var request = Send();
        request["headers"] = new JsonObject { [name] = "x" };
        Assert.Equal($"The header \"{name}\" may not be set in \"headers\"; it is written from the request's fields or by mail servers.", OnlyProblem(request));
    }

    [Fact]
    public void An_attachment_that_is_not_base64_is_refused()
    {
        var request = Send();
        request["attachments"] = new JsonArray(new JsonObject { ["name"] = "a.bin", ["contentBase64"] = "not base64!" });
        Assert.Equal("Attachment 1 (\"a.bin\"): contentBase64 is not valid base64.", OnlyProblem(request));
    }

    [Fact]
    public void An_inline_image_without_html_is_refused()
    {
        var request = Send();
        request["attachments"] = new JsonArray(new JsonObject { ["name"] = "logo.png", ["contentBase64"] = "aGVsbG8=", ["contentId"] = "logo" });
        Assert.Equal("Attachment 1 (\"logo.png\") is an inline image (contentId) but the request has no \"html\" to show it.", OnlyProblem(request));
    }

    [Fact]
    public void A_message_over_the_size_limit_is_refused_with_both_sizes()
    {
        var request = Send();
        request["attachments"] = new JsonArray(new JsonObject { ["name"] = "big.bin", ["contentBase64"] = Convert.ToBase64String(new byte[1200]) });
        Assert.Equal("The message is 1207 bytes (bodies and decoded attachments), over the limit of 1000 bytes (setting Mail:MaxMessageBytes).", OnlyProblem(request));
    }

    [Fact]
    public void A_request_without_any_body_is_refused()
    {
        var request = Send();
        request.Remove("text");
        Assert.Equal("The request has neither \"text\" nor \"html\"; give at least one body.", OnlyProblem(request));
    }

    [Fact]
    public void Every_problem_of_a_request_is_reported_at_once()
    {
        var request = Send();
        request["id"] = "bad id";
        request["from"] = "nobody";
        request["subject"] = "a\rb";

        Assert.Equal(3, Parser.Parse(request.ToJsonString()).Problems.Count);
    }

    [Fact]
    public void A_fetch_with_an_unknown_protocol_is_refused()
    {
        var request = Fetch();
        request["protocol"] = "ews";
        Assert.Equal("Unknown protocol \"ews\"; use \"imap\" or \"pop3\".", OnlyProblem(request));
    }

    [Fact]
    public void A_fetch_that_moves_without_a_target_folder_is_refused()
    {
        var request = Fetch();
        request["afterFetch"] = "move";
        Assert.Equal("afterFetch \"move\" needs \"moveTo\", the folder to move fetched messages to.", OnlyProblem(request));
    }

    [Fact]
    public void A_pop3_fetch_that_marks_seen_is_refused()
    {
        var request = Fetch();
        request["protocol"] = "pop3";
        request["afterFetch"] = "seen";
        Assert.StartsWith("afterFetch \"seen\" needs IMAP", OnlyProblem(request));
    }

    [Fact]
    public void A_fetch_that_gives_its_own_webhook_url_and_secret_setting_is_refused()
    {
        var request = Fetch();
        request["sink"] = new JsonObject { ["type"] = "webhook", ["url"] = "http://127.0.0.1:8080/admin", ["secretSetting"] = "Broker:AdminKey" };
        Assert.StartsWith("\"sink\" names a sink the operator configured", OnlyProblem(request));
    }

    [Fact]
    public void A_fetch_that_gives_its_own_maildir_path_is_refused()
    {
        var request = Fetch();
        request["sink"] = new JsonObject { ["type"] = "maildir", ["path"] = "/root/.ssh" };
        Assert.StartsWith("\"sink\" names a sink the operator configured", OnlyProblem(request));
    }

    [Fact]
    public void A_fetch_naming_a_sink_that_is_not_configured_is_refused()
    {
        var request = Fetch();
        request["sink"] = new JsonObject { ["name"] = "elsewhere" };
        Assert.StartsWith("No sink named \"elsewhere\" is configured", OnlyProblem(request));
    }

    [Theory]
    [InlineData("../other")]
    [InlineData("/etc/cron.d")]
    [InlineData("a/../../b")]
    public void A_maildir_folder_that_would_leave_the_sinks_root_is_refused(string folder)
    {
        var request = Fetch();
        request["sink"] = new JsonObject { ["name"] = "archive", ["folder"] = folder };
        Assert.StartsWith("The sink \"folder\"", OnlyProblem(request));
    }

    [Fact]
    public void A_folder_for_a_webhook_sink_is_refused()
    {
        var request = Fetch();
        request["sink"] = new JsonObject { ["name"] = "helpdesk", ["folder"] = "x" };
        Assert.Equal("The sink \"helpdesk\" is a webhook; \"folder\" applies only to maildir sinks.", OnlyProblem(request));
    }
}
