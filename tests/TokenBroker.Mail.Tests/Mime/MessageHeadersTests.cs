using System.Text;
using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Mime;

public class MessageHeadersTests
{
    [Fact]
    public void Folded_headers_are_unfolded_keeping_the_whitespace()
    {
        var headers = MessageHeaders.Parse("Subject: part one\r\n part two\r\n\tpart three\r\nTo: a@example.test\r\n\r\nbody: not a header\r\n");

        Assert.Equal("part one part two\tpart three", headers.Subject);
        Assert.Null(headers.Get("body"));
    }

    [Fact]
    public void Lf_only_messages_parse_too()
    {
        var headers = MessageHeaders.Parse(Encoding.ASCII.GetBytes("Subject: a\nFrom: x@example.test\n\nbody"));

        Assert.Equal("a", headers.Subject);
        Assert.Equal("x@example.test", headers.From.Single().Address);
    }

    [Fact]
    public void Raw_latin1_header_bytes_are_read_as_latin1()
    {
        var headers = MessageHeaders.Parse(Encoding.Latin1.GetBytes("Subject: caf\u00e9\r\n\r\n"));

        Assert.Equal("café", headers.Subject);
    }

    [Fact]
    public void Raw_utf8_header_bytes_are_read_as_utf8()
    {
        var headers = MessageHeaders.Parse(Encoding.UTF8.GetBytes("Subject: Grüße\r\n\r\n"));

        Assert.Equal("Grüße", headers.Subject);
    }

    [Theory]
    [InlineData("Sat, 21 Nov 2026 20:40:48 +0000", "2026-11-21T20:40:48+00:00")]
    [InlineData("21 Nov 2026 20:40 -0500", "2026-11-21T20:40:00-05:00")]
    [InlineData("Sat, 21 Nov 2026 20:40:48 GMT", "2026-11-21T20:40:48+00:00")]
    [InlineData("Sat, 21 Nov 2026 20:40:48 +0100 (CET)", "2026-11-21T20:40:48+01:00")]
    [InlineData("Sat, 1 Nov 26 08:00:00 PST", "2026-11-01T08:00:00-08:00")]
    public void Dates_in_real_world_forms_parse(string text, string expected)
    {
        var headers = MessageHeaders.Parse($"Date: {text}\r\n\r\n");

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), headers.Date);
    }

    [Fact]
    public void A_broken_date_gives_null_rather_than_an_exception() =>
        Assert.Null(MessageHeaders.Parse("Date: yesterday-ish\r\n\r\n").Date);

    [Fact]
    public void Message_id_is_returned_without_angle_brackets() =>
        Assert.Equal("abc@example.test", MessageHeaders.Parse("Message-ID: <abc@example.test>\r\n\r\n").MessageId);

    [Fact]
    public async Task Reading_from_a_stream_stops_at_the_empty_line()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("Subject: s\r\n\r\n" + new string('b', 100_000)));

        var headers = await MessageHeaders.ReadAsync(stream);

        Assert.Equal("s", headers.Subject);
        Assert.True(stream.Position < 100_000);
    }
}
