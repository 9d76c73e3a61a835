using System.Text;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Tests.Sasl;

public class XOAuth2MechanismTests
{
    [Fact]
    public void Initial_response_is_user_and_bearer_token_separated_by_control_A()
    {
        var mechanism = new XOAuth2Mechanism("someone@example.com", "ya29.token");

        Assert.Equal("user=someone@example.com\u0001auth=Bearer ya29.token\u0001\u0001", Encoding.UTF8.GetString(mechanism.Start()));
    }

    [Fact]
    public void Initial_response_base64_matches_the_documented_example()
    {
        // The example from Google's XOAUTH2 documentation.
        var mechanism = new XOAuth2Mechanism("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

        Assert.Equal(
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
            SaslEncoding.EncodeInitialResponse(mechanism.Start()));
    }

    [Fact]
    public void Error_challenge_is_decoded_and_answered_with_an_empty_response()
    {
        var mechanism = new XOAuth2Mechanism("u@example.com", "t");
        mechanism.Start();

        var answer = mechanism.Next(Encoding.UTF8.GetBytes("""{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"""));

        Assert.Empty(answer);
        Assert.Equal("401", mechanism.ServerError?.Status);
        Assert.Equal("bearer", mechanism.ServerError?.Schemes);
        Assert.Equal("https://mail.google.com/", mechanism.ServerError?.Scope);
    }

    [Theory]
    [InlineData("user\u0001name")]
    [InlineData("user\r\nname")]
    public void User_with_control_characters_is_refused(string user) =>
        Assert.Throws<ArgumentException>(() => new XOAuth2Mechanism(user, "token"));

    [Theory]
    [InlineData("token\n")]
    [InlineData("tok en")]
    [InlineData("tok\u0001en")]
    public void Token_with_spaces_or_control_characters_is_refused(string token) =>
        Assert.Throws<ArgumentException>(() => new XOAuth2Mechanism("u@example.com", token));
}
