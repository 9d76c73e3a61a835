using System.Text;
using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Mime;

public class MimeMessageTests
{
    private static MimeMessage NewMessage() => new()
    {
        From = new MailboxAddress("alice@example.test", "Alice"),
        To = { new MailboxAddress("bob@example.test") },
        Subject = "Hello",
        Date = new DateTimeOffset(2026, 11, 21, 20, 40, 48, TimeSpan.Zero),
        MessageId = "fixed@example.test",
    };

    private static async Task<string> Write(MimeMessage message)
    {
        using var stream = new MemoryStream();
        await message.WriteToAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Plain_text_message_has_date_from_to_subject_message_id_and_mime_version()
    {
        var message = NewMessage();
        message.TextBody = "Hi Bob.\nBye.";

        Assert.Equal(
            "Date: Sat, 21 Nov 2026 20:40:48 +0000\r\nFrom: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: Hello\r\n" +
            "Message-ID: <fixed@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
            "Hi Bob.\r\nBye.\r\n",
            await Write(message));
    }

    [Fact]
    public async Task Text_and_html_become_multipart_alternative_with_text_first()
    {
        var message = NewMessage();
        message.TextBody = "plain";
        message.HtmlBody = "<p>html</p>";

        var written = await Write(message);

        Assert.Contains("Content-Type: multipart/alternative; boundary=", written);
        Assert.True(written.IndexOf("text/plain", StringComparison.Ordinal) < written.IndexOf("text/html", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Non_ascii_text_body_is_base64_utf8()
    {
        var message = NewMessage();
        message.TextBody = "Grüße";

        var written = await Write(message);

        Assert.Contains("Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße")) + "\r\n", written);
        Assert.True(Ascii.IsValid(written));
    }

    [Fact]
    public async Task Attachment_is_base64_in_lines_of_76_with_a_2231_file_name_for_non_ascii()
    {
        var message = NewMessage();
        message.TextBody = "see attached";
        var content = new byte[1000];
        new Random(1).NextBytes(content);
        message.Attachments.Add(MimeAttachment.FromBytes("Überweisung März.pdf", content));

        var written = await Write(message);
        var unfolded = written.Replace("\r\n ", " ");

        Assert.Contains("Content-Type: multipart/mixed; boundary=", written);
        Assert.Contains("Content-Disposition: attachment; filename*=utf-8''%C3%9Cberweisung%20M%C3%A4rz.pdf", unfolded);
        Assert.Contains("Content-Type: application/pdf; name=\"=?utf-8?B?", unfolded);
        var base64Lines = written.Split("\r\n").Where(l => l.Length > 0 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')).ToList();
        Assert.All(base64Lines[..^1], line => Assert.Equal(76, line.Length));
        Assert.Equal(content, Convert.FromBase64String(string.Concat(base64Lines.Where(l => l.Length >= 40 || l.EndsWith('=')))));
    }

    [Fact]
    public async Task Long_non_ascii_file_names_use_2231_continuations_without_splitting_escapes()
    {
        var message = NewMessage();
        message.Attachments.Add(MimeAttachment.FromBytes(string.Concat(Enumerable.Repeat("Prüfbericht ", 8)) + ".txt", [1, 2, 3]));

        var written = (await Write(message)).Replace("\r\n ", " ");
        var disposition = written.Split("\r\n").Single(line => line.StartsWith("Content-Disposition:", StringComparison.Ordinal));
        var segments = disposition.Split(';').Select(p => p.Trim()).Where(p => p.StartsWith("filename*", StringComparison.Ordinal)).Select(p => p[(p.IndexOf('=') + 1)..]).ToList();

        Assert.All(segments, segment => Assert.DoesNotContain("%C3;", segment + ";")); // no character cut in two
        Assert.All(segments.Skip(1), segment => Uri.UnescapeDataString(segment)); // each segment decodes alone
        Assert.Contains("filename*0*=utf-8''Pr%C3%BCfbericht", disposition);
        Assert.Contains("filename*1*=", disposition);
        var joined = string.Concat(segments);
        Assert.Equal(string.Concat(Enumerable.Repeat("Prüfbericht ", 8)) + ".txt", Uri.UnescapeDataString(joined["utf-8''".Length..]));
    }

    [Fact]
    public async Task Inline_image_goes_into_multipart_related_with_its_content_id()
    {
        var message = NewMessage();
        message.HtmlBody = "<img src=\"cid:logo@example.test\">";
        message.LinkedResources.Add(MimeAttachment.Inline("logo@example.test", "logo.png", [0x89, 0x50, 0x4E, 0x47]));

        var written = await Write(message);

        Assert.Contains("Content-Type: multipart/related; type=\"text/html\"; boundary=", written);
        Assert.Contains("Content-Disposition: inline; filename=logo.png\r\nContent-ID: <logo@example.test>", written);
    }

    [Fact]
    public async Task Non_ascii_subject_is_encoded_and_folded_within_78_characters()
    {
        var message = NewMessage();
        message.Subject = "Rechnung für Müller & Söhne — Zahlungserinnerung über 1.234,56 € (zweite Mahnung)";

        var written = await Write(message);
        var headerLines = written[..written.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");

        Assert.All(headerLines, line => Assert.True(line.Length <= 78, line));
        Assert.Equal(message.Subject, MessageHeaders.Parse(written).Subject);
    }

    [Theory]
    [InlineData("Subject\r\nBcc: victim@example.test")]
    [InlineData("Subject\nX: y")]
    [InlineData("Subject\rX: y")]
    public void Line_breaks_in_the_subject_are_refused(string subject) =>
        Assert.Throws<MimeHeaderInjectionException>(() => new MimeMessage { Subject = subject });

    [Fact]
    public void Line_breaks_in_custom_headers_and_file_names_are_refused()
    {
        var message = new MimeMessage();

        Assert.Throws<MimeHeaderInjectionException>(() => message.AddHeader("X-Tag", "a\r\nBcc: victim@example.test"));
        Assert.Throws<MimeHeaderInjectionException>(() => MimeAttachment.FromBytes("a\r\nContent-Type: text/html.pdf", []));
        Assert.Throws<MimeHeaderInjectionException>(() => message.MessageId = "id@x\r\nBcc: v@x");
    }

    [Fact]
    public void Headers_written_from_properties_cannot_be_added_as_custom_headers() =>
        Assert.Throws<ArgumentException>(() => new MimeMessage().AddHeader("Bcc", "victim@example.test"));

    [Fact]
    public async Task Custom_headers_are_written_in_order_and_bcc_never_is()
    {
        var message = NewMessage();
        message.Bcc.Add(new MailboxAddress("hidden@example.test"));
        message.AddHeader("X-Mailbox-Id", "42");
        message.AddHeader("X-Note", "Grüße");

        var written = await Write(message);
        var headers = MessageHeaders.Parse(written);

        Assert.Equal("42", headers.Get("X-Mailbox-Id"));
        Assert.Equal("Grüße", EncodedWords.Decode(headers.Get("X-Note")!));
        Assert.DoesNotContain("hidden@example.test", written);
        Assert.Contains("hidden@example.test", message.EnvelopeRecipients);
    }

    [Fact]
    public async Task Message_id_from_an_idempotency_key_is_stable_and_hides_the_key()
    {
        var first = MessageIds.FromIdempotencyKey("order-1234-confirmation", "example.test");
        var message = NewMessage();
        message.MessageId = $"<{first}>";

        Assert.Equal(first, MessageIds.FromIdempotencyKey("order-1234-confirmation", "example.test"));
        Assert.NotEqual(first, MessageIds.FromIdempotencyKey("order-1235-confirmation", "example.test"));
        Assert.DoesNotContain("order", first);
        Assert.Equal(first, MessageHeaders.Parse(await Write(message)).MessageId);
    }

    [Fact]
    public async Task Writing_twice_gives_the_same_bytes()
    {
        var message = new MimeMessage { From = new MailboxAddress("a@example.test"), TextBody = "x", HtmlBody = "<b>x</b>" };
        message.To.Add(new MailboxAddress("b@example.test"));
        message.Attachments.Add(MimeAttachment.FromBytes("a.bin", [1, 2, 3]));

        Assert.Equal(await Write(message), await Write(message));
    }

    [Fact]
    public async Task Round_trip_through_the_header_parser_keeps_addresses_subject_date_and_id()
    {
        var message = NewMessage();
        message.From = new MailboxAddress("jurgen@example.test", "Jürgen Groß");
        message.To.Add(new MailboxAddress("c@example.test", "Last, First"));
        message.Cc.Add(new MailboxAddress("d@example.test", "Δημήτρης"));
        message.Subject = "Ünïcödé ✓ subject";

        var headers = MessageHeaders.Parse(Encoding.UTF8.GetBytes(await Write(message)));

        Assert.Equal([("Jürgen Groß", "jurgen@example.test")], headers.From.Select(a => (a.DisplayName, a.Address)));
        Assert.Equal(["bob@example.test", "c@example.test"], headers.To.Select(a => a.Address));
        Assert.Equal("Last, First", headers.To[1].DisplayName);
        Assert.Equal("Δημήτρης", headers.Cc.Single().DisplayName);
        Assert.Equal("Ünïcödé ✓ subject", headers.Subject);
        Assert.Equal(message.Date, headers.Date);
        Assert.Equal("fixed@example.test", headers.MessageId);
    }
}
