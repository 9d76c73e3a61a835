using System.Text.Json.Nodes;
using TokenBroker.Jobs.Mail;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>Null and wrong-typed fields, and the limits on what one request may carry: each is a sentence, never an exception.</summary>
public sealed class MailRequestFieldTypeTests
{
    private static readonly MailRequestParser Parser = new(new MailRequestLimits(), MailRequestValidationTests.Sinks);

    private const string SendRequest =
        """{"version":1,"kind":"send","id":"t-1","from":"sales@contoso.com","to":["alice@example.com"],"text":"Hi"}""";

    private const string FetchRequest =
        """{"version":1,"kind":"fetch","id":"t-1","mailbox":"support@contoso.com","protocol":"imap","sink":{"name":"archive"}}""";

    private static string With(string request, string field, string json)
    {
        var node = JsonNode.Parse(request)!.AsObject();
        node[field] = JsonNode.Parse(json);
        return node.ToJsonString();
    }

    [Theory]
    [InlineData("to", "null", "\"to\" must be a list of addresses (leave it out for none); it is null.")]
    [InlineData("cc", "null", "\"cc\" must be a list of addresses (leave it out for none); it is null.")]
    [InlineData("bcc", "null", "\"bcc\" must be a list of addresses (leave it out for none); it is null.")]
    [InlineData("headers", "null", "\"headers\" must be an object of header names and string values (leave it out for none); it is null.")]
    [InlineData("attachments", "null", "\"attachments\" must be a list of attachment objects (leave it out for none); it is null.")]
    [InlineData("attachments", "[null]", "Attachment 1 must be an object; it is null.")]
    [InlineData("attachments", "[{\"name\":\"a.txt\",\"contentBase64\":null}]", "Attachment 1: \"contentBase64\" must be a string; it is null.")]
    [InlineData("attachments", "[{\"name\":7,\"contentBase64\":\"aGk=\"}]", "Attachment 1: \"name\" must be a string; it is a number.")]
    [InlineData("to", "[null]", "\"to\" item 1 must be an address string; it is null.")]
    [InlineData("to", "[42]", "\"to\" item 1 must be an address string; it is a number.")]
    [InlineData("from", "null", "\"from\" must be a string; it is null.")]
    [InlineData("from", "[\"sales@contoso.com\"]", "\"from\" must be a string; it is a list.")]
    [InlineData("id", "12", "\"id\" must be a string; it is a number.")]
    [InlineData("subject", "12", "\"subject\" must be a string (or left out); it is a number.")]
    [InlineData("text", "{\"a\":1}", "\"text\" must be a string (or left out); it is an object.")]
    [InlineData("headers", "{\"X-Ticket\":null}", "The value of header \"X-Ticket\" must be a string; it is null.")]
    [InlineData("headers", "{\"X-Ticket\":42}", "The value of header \"X-Ticket\" must be a string; it is a number.")]
    [InlineData("headers", "[\"X-Ticket: 42\"]", "\"headers\" must be an object of header names and string values (leave it out for none); it is a list.")]
    public void A_null_or_wrong_typed_send_field_is_refused_naming_it(string field, string json, string problem) =>
        Assert.Equal(problem, Assert.Single(Parser.Parse(With(SendRequest, field, json)).Problems));

    [Theory]
    [InlineData("sink", "null", "\"sink\" must be an object; it is null.")]
    [InlineData("sink", "\"archive\"", "\"sink\" must be an object; it is a string.")]
    [InlineData("sink", "{\"name\":null}", "\"sink\": \"name\" must be a string; it is null.")]
    [InlineData("maxMessages", "\"50\"", "\"maxMessages\" must be a whole number; it is a string.")]
    [InlineData("maxMessages", "1.5", "\"maxMessages\" must be a whole number; it is a number.")]
    [InlineData("maxMessages", "99999999999", "\"maxMessages\" must be a whole number; it is a number.")]
    [InlineData("mailbox", "null", "\"mailbox\" must be a string; it is null.")]
    [InlineData("protocol", "true", "\"protocol\" must be a string; it is a boolean.")]
    public void A_null_or_wrong_typed_fetch_field_is_refused_naming_it(string field, string json, string problem) =>
        Assert.Equal(problem, Assert.Single(Parser.Parse(With(FetchRequest, field, json)).Problems));

    [Fact]
    public void An_optional_text_field_given_as_null_counts_as_left_out()
    {
        var parsed = Parser.Parse(With(SendRequest, "subject", "null"));
        Assert.Empty(parsed.Problems);
        Assert.Null(parsed.Send!.Subject);
    }

    [Fact]
    public void Five_hundred_recipients_are_accepted()
    {
        var to = new JsonArray([.. Enumerable.Range(0, 300).Select(i => (JsonNode)$"to{i}@example.com")]);
        var bcc = new JsonArray([.. Enumerable.Range(0, 200).Select(i => (JsonNode)$"bcc{i}@example.com")]);
        var request = JsonNode.Parse(SendRequest)!.AsObject();
        request["to"] = to;
        request["bcc"] = bcc;

        Assert.Empty(Parser.Parse(request.ToJsonString()).Problems);
    }

    [Fact]
    public void Five_hundred_and_one_recipients_across_to_cc_and_bcc_are_refused()
    {
        var request = JsonNode.Parse(SendRequest)!.AsObject();
        request["to"] = new JsonArray([.. Enumerable.Range(0, 300).Select(i => (JsonNode)$"to{i}@example.com")]);
        request["cc"] = new JsonArray([.. Enumerable.Range(0, 200).Select(i => (JsonNode)$"cc{i}@example.com")]);
        request["bcc"] = new JsonArray("one-more@example.com");

        Assert.StartsWith("The request has 501 recipients in \"to\", \"cc\" and \"bcc\"; a message may have at most 500",
            Assert.Single(Parser.Parse(request.ToJsonString()).Problems));
    }

    [Fact]
    public void More_attachments_than_the_limit_are_refused()
    {
        var parser = new MailRequestParser(new MailRequestLimits { MaxAttachments = 2 });
        var attachments = new JsonArray([.. Enumerable.Range(0, 3).Select(i => (JsonNode)new JsonObject { ["name"] = $"{i}.txt", ["contentBase64"] = "aGk=" })]);

        Assert.Equal("The request has 3 attachments; a message may have at most 2.",
            Assert.Single(parser.Parse(With(SendRequest, "attachments", attachments.ToJsonString())).Problems));
    }

    [Fact]
    public void An_encoded_word_display_name_hiding_a_line_break_is_refused_with_a_sentence()
    {
        // "Alice\r\nBcc: victim@example.com" as an RFC 2047 encoded word.
        var hidden = "=?utf-8?B?" + Convert.ToBase64String("Alice\r\nBcc: victim@example.com"u8.ToArray()) + "?= <alice@example.com>";

        var problem = Assert.Single(Parser.Parse(With(SendRequest, "to", new JsonArray(hidden).ToJsonString())).Problems);

        Assert.StartsWith("The \"to\" address", problem);
    }
}
