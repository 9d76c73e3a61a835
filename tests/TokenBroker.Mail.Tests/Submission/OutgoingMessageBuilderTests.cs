using System.Text;
using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Submission;

/// <summary>Messages built with MimeKit: the caller's Message-ID and Date, the same bytes every time, no header injection.</summary>
public class OutgoingMessageBuilderTests
{
    private static readonly DateTimeOffset Date = new(2026, 12, 2, 9, 30, 0, TimeSpan.FromHours(1));

    private static OutgoingMessage Basic => new()
    {
        From = "Alice <alice@example.test>",
        To = ["bob@example.test"],
        Subject = "Quarterly report",
        Text = "Hello Bob",
        MessageId = "<k3j5q@example.test>",
        Date = Date,
    };

    private static string Write(MimeKit.MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new MimeKit.FormatOptions { NewLineFormat = MimeKit.NewLineFormat.Dos }, stream); // as on the wire
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void A_plain_text_message_has_the_given_date_and_message_id()
    {
        var text = Write(OutgoingMessageBuilder.Build(Basic));

        Assert.Contains("Message-Id: <k3j5q@example.test>\r\n", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Date: Wed, 02 Dec 2026 09:30:00 +0100\r\n", text);
        Assert.Contains("From: Alice <alice@example.test>\r\n", text);
        Assert.Contains("To: bob@example.test\r\n", text);
        Assert.Contains("Subject: Quarterly report\r\n", text);
        Assert.Contains("MIME-Version: 1.0\r\n", text);
    }

    [Fact]
    public void Building_the_same_content_twice_gives_the_same_bytes_even_with_multiparts()
    {
        var content = Basic with
        {
            Html = "<p>Hello <img src=\"cid:logo\"></p>",
            Attachments = [new OutgoingAttachment("report.pdf", [1, 2, 3], "application/pdf"), new OutgoingAttachment("logo.png", [9, 9], "image/png", "logo")],
        };

        var first = Write(OutgoingMessageBuilder.Build(content));
        var second = Write(OutgoingMessageBuilder.Build(content));

        Assert.Equal(first, second);
        Assert.Contains("multipart/mixed", first);
    }

    [Fact]
    public void Text_and_html_become_multipart_alternative_with_text_first()
    {
        var text = Write(OutgoingMessageBuilder.Build(Basic with { Html = "<p>Hello</p>" }));

        Assert.Contains("multipart/alternative", text);
        Assert.True(text.IndexOf("text/plain", StringComparison.Ordinal) < text.IndexOf("text/html", StringComparison.Ordinal));
    }

    [Fact]
    public void An_inline_image_goes_into_multipart_related_with_its_content_id()
    {
        var text = Write(OutgoingMessageBuilder.Build(Basic with
        {
            Html = "<img src=\"cid:logo@x\">",
            Attachments = [new OutgoingAttachment("logo.png", [1, 2, 3], "image/png", "logo@x")],
        }));

        Assert.Contains("multipart/related", text);
        Assert.Contains("Content-Id: <logo@x>", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_non_ascii_file_name_and_subject_are_encoded_and_header_lines_stay_within_78_characters()
    {
        var text = Write(OutgoingMessageBuilder.Build(Basic with
        {
            Subject = "Überweisung für die Quartalsabrechnung des Geschäftsjahres zweitausendsechsundzwanzig",
            Attachments = [new OutgoingAttachment("Bericht-ü.txt", Encoding.UTF8.GetBytes("attached"))],
        }));

        Assert.True(Encoding.UTF8.GetByteCount(text) == text.Length, "the message is 7-bit");
        Assert.Contains("=?utf-8?", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("filename*=", text); // RFC 2231
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(text)));
        Assert.Equal("Bericht-ü.txt", Assert.Single(parsed.Attachments).ContentDisposition.FileName);
        Assert.StartsWith("Überweisung für die", parsed.Subject);
        var headers = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(headers.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
    }

    [Fact]
    public void Custom_headers_are_written_in_order()
    {
        var text = Write(OutgoingMessageBuilder.Build(Basic with { Headers = [new("X-Ticket", "42"), new("X-Customer", "Müller")] }));

        Assert.Contains("X-Ticket: 42\r\n", text);
        Assert.True(text.IndexOf("X-Ticket", StringComparison.Ordinal) < text.IndexOf("X-Customer", StringComparison.Ordinal));
        Assert.DoesNotContain("Müller", text); // encoded, not raw 8-bit
    }

    public static TheoryData<OutgoingMessage> Injections => new()
    {
        Basic with { Subject = "hi\r\nBcc: evil@example.test" },
        Basic with { To = ["bob@example.test\r\nBcc: evil@example.test"] },
        Basic with { From = "Alice\n <alice@example.test>" },
        Basic with { Headers = [new("X-Ticket", "42\r\nBcc: evil@example.test")] },
        Basic with { Attachments = [new OutgoingAttachment("a.txt\r\nBcc: evil@example.test", [1])] },
        Basic with { MessageId = "k3j5q@example.test\r\nBcc: evil@example.test" },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public void A_line_break_in_anything_that_becomes_a_header_is_refused(OutgoingMessage content)
    {
        Assert.Throws<MimeHeaderInjectionException>(() => OutgoingMessageBuilder.Build(content));
    }
}
