using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Tests.Sasl;

public class SaslEncodingTests
{
    [Fact]
    public void Empty_initial_response_is_an_equals_sign() => Assert.Equal("=", SaslEncoding.EncodeInitialResponse([]));

    [Fact]
    public void Empty_response_to_a_challenge_is_an_empty_line() => Assert.Equal("", SaslEncoding.EncodeResponse([]));

    [Theory]
    [InlineData("")]
    [InlineData("=")]
    [InlineData("  ")]
    public void Empty_challenge_forms_decode_to_no_bytes(string text)
    {
        Assert.True(SaslEncoding.TryDecodeChallenge(text, out var challenge));
        Assert.Empty(challenge);
    }

    [Fact]
    public void Base64_challenge_decodes() 
    {
        Assert.True(SaslEncoding.TryDecodeChallenge("eyJzdGF0dXMiOiI0MDEifQ==", out var challenge));
        Assert.Equal("""{"status":"401"}""", System.Text.Encoding.UTF8.GetString(challenge));
    }

    [Fact]
    public void Text_that_is_not_base64_is_reported() => Assert.False(SaslEncoding.TryDecodeChallenge("not base64!", out _));
}
