using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Mime;

public class EncodedWordsTests
{
    [Fact]
    public void Non_ascii_text_is_encoded_as_utf8_b_words_of_at_most_75_characters()
    {
        var encoded = EncodedWords.Encode("Grüße aus Köln — " + new string('ä', 80));

        Assert.All(encoded.Split(' '), word =>
        {
            Assert.StartsWith("=?utf-8?B?", word);
            Assert.True(word.Length <= 75, word);
        });
        Assert.Equal("Grüße aus Köln — " + new string('ä', 80), EncodedWords.Decode(encoded));
    }

    [Fact]
    public void Surrogate_pairs_are_never_split_between_words()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 40));

        Assert.Equal(text, EncodedWords.Decode(EncodedWords.Encode(text)));
    }

    [Theory]
    [InlineData("=?utf-8?Q?caf=C3=A9_au_lait?=", "café au lait")]
    [InlineData("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard")]
    [InlineData("=?iso-8859-1?B?QW5kcukgUGlyYXJk?=", "André Pirard")]
    [InlineData("=?windows-1252?Q?=80_price?=", "€ price")]
    [InlineData("=?koi8-r?B?8NLJ18XU?=", "Привет")]
    [InlineData("=?utf-8*en?Q?hello?=", "hello")]
    public void B_and_q_words_decode_in_common_charsets(string encoded, string expected) =>
        Assert.Equal(expected, EncodedWords.Decode(encoded));

    [Fact]
    public void Whitespace_between_adjacent_encoded_words_is_dropped_but_kept_around_plain_text()
    {
        Assert.Equal("ab", EncodedWords.Decode("=?utf-8?Q?a?= \r\n =?utf-8?Q?b?="));
        Assert.Equal("a b", EncodedWords.Decode("=?utf-8?Q?a?= b"));
    }

    [Fact]
    public void A_character_split_across_two_words_is_joined()
    {
        // "é" is C3 A9; a careless encoder put the bytes in two words.
        Assert.Equal("é", EncodedWords.Decode("=?utf-8?Q?=C3?= =?utf-8?Q?=A9?="));
    }

    [Theory]
    [InlineData("=?unknown-charset?Q?x?=")]
    [InlineData("=?utf-8?X?x?=")]
    [InlineData("=?utf-8?Q?no end")]
    public void Words_that_cannot_be_decoded_are_left_as_they_are(string text) =>
        Assert.Equal(text, EncodedWords.Decode(text));
}
