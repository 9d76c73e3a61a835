using System.Text;
using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapDecoderTests
{
    private static ImapDecoder Decode(string line, params string[] literalsAndLines)
    {
        var frame = new ImapResponseFrame();
        frame.Lines.Add(Encoding.UTF8.GetBytes(line));
        for (var i = 0; i + 1 < literalsAndLines.Length; i += 2)
        {
            var data = Encoding.UTF8.GetBytes(literalsAndLines[i]);
            frame.Literals.Add(new ImapLiteral(data.Length, data, null));
            frame.Lines.Add(Encoding.UTF8.GetBytes(literalsAndLines[i + 1]));
        }
        return new ImapDecoder(frame);
    }

    [Fact]
    public void Quoted_strings_unescape_quotes_and_backslashes()
    {
        var decoder = Decode("\"a \\\"quoted\\\" back\\\\slash\"");
        Assert.True(decoder.Quoted(out var value));
        Assert.Equal("a \"quoted\" back\\slash", value);
        Assert.True(decoder.AtEnd);
    }

    [Fact]
    public void Quoted_strings_decode_utf8()
    {
        var decoder = Decode("\"Grüße\"");
        Assert.True(decoder.Quoted(out var value));
        Assert.Equal("Grüße", value);
    }

    [Fact]
    public void An_unterminated_quoted_string_is_an_error_naming_the_problem()
    {
        var decoder = Decode("\"never closed");
        Assert.False(decoder.Quoted(out _));
        Assert.Contains("unterminated quoted string", decoder.Error);
    }

    [Fact]
    public void A_literal_yields_its_bytes_and_parsing_continues_on_the_next_line()
    {
        var decoder = Decode("{11}", "hello\r\nyou!", " NEXT");
        Assert.True(decoder.String(out var value));
        Assert.Equal("hello\r\nyou!", value);
        Assert.True(decoder.SP());
        Assert.True(decoder.Atom(out var next));
        Assert.Equal("NEXT", next);
        Assert.True(decoder.AtEnd);
    }

    [Fact]
    public void Literal8_and_non_synchronizing_literals_are_tolerated()
    {
        Assert.True(Decode("~{3}", "abc", "").String(out var eight));
        Assert.Equal("abc", eight);
        Assert.True(Decode("{3+}", "xyz", "").String(out var plus));
        Assert.Equal("xyz", plus);
    }

    [Fact]
    public void Nil_is_null_in_an_nstring_but_NILS_is_an_atom()
    {
        Assert.True(Decode("NIL").NString(out var nil));
        Assert.Null(nil);
        var decoder = Decode("NILS");
        Assert.False(decoder.Nil());
        Assert.True(decoder.Atom(out var atom));
        Assert.Equal("NILS", atom);
    }

    [Fact]
    public void Nested_lists_are_read_and_skipped()
    {
        var decoder = Decode("(a (b (c \"d\" {1}", "e", ") NIL) 12) tail");
        Assert.True(decoder.SkipValue());
        Assert.True(decoder.SP());
        Assert.True(decoder.Atom(out var tail));
        Assert.Equal("tail", tail);
        Assert.Null(decoder.Error);
    }

    [Fact]
    public void Lists_nested_beyond_the_limit_are_an_error()
    {
        var decoder = Decode(new string('(', 200) + new string(')', 200));
        Assert.False(decoder.SkipValue());
        Assert.Contains("nested too deeply", decoder.Error);
    }

    [Fact]
    public void The_first_error_is_kept_and_later_calls_fail_quietly()
    {
        var decoder = Decode("abc");
        Assert.False(decoder.ExpectNumber(out _));
        var first = decoder.Error;
        Assert.False(decoder.ExpectSpecial('('));
        Assert.False(decoder.Atom(out _));
        Assert.Equal(first, decoder.Error);
        Assert.Contains("expected a number", first);
    }

    [Fact]
    public void Flags_include_system_flags_keywords_and_the_wildcard()
    {
        var decoder = Decode("(\\Seen \\Answered $Forwarded \\*)");
        Assert.True(decoder.ExpectFlagList(out var flags));
        Assert.Equal(["\\Seen", "\\Answered", "$Forwarded", "\\*"], flags);
    }

    [Fact]
    public void Numbers_larger_than_32_bits_are_rejected_where_32_bits_are_expected()
    {
        var decoder = Decode("4294967296");
        Assert.False(decoder.Number(out _));
        Assert.Contains("out of range", decoder.Error);
    }

    [Fact]
    public void A_literal_marker_in_the_middle_of_a_line_is_an_error()
    {
        var decoder = Decode("{3} x");
        Assert.False(decoder.Literal(out _));
        Assert.Contains("a literal must end its line", decoder.Error);
    }
}
