using System.Text;
using MailKit.Security;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Tests.Sasl;

/// <summary>The MailKit mechanisms on their own: bytes of each step, the SASL-IR decision, the error challenge.</summary>
public class OAuthSaslMechanismTests
{
    private const string Json = """{"status":"401","schemes":"bearer","scope":"mail"}""";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Xoauth2_initial_response_matches_the_documented_example()
    {
        var mechanism = new XOAuth2SaslMechanism("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");

        Assert.Equal(
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
            mechanism.Challenge(null));
    }

    [Fact]
    public void Oauthbearer_carries_the_real_host_and_port_and_escapes_the_user()
    {
        var mechanism = new OAuthBearerSaslMechanism("a,b=c@example.com", "tok", "mail.example.com", 993);

        Assert.Equal("n,a=a=2Cb=3Dc@example.com,\u0001host=mail.example.com\u0001port=993\u0001auth=Bearer tok\u0001\u0001",
            Encoding.UTF8.GetString(mechanism.InitialResponse()));
    }

    [Fact]
    public void The_first_empty_prompt_is_answered_with_the_initial_response()
    {
        var mechanism = new XOAuth2SaslMechanism("u@example.com", new string('t', 6000));

        Assert.Equal(Convert.ToBase64String(mechanism.InitialResponse()), mechanism.Challenge(""));
    }

    [Theory]
    [InlineData(300, true)]
    [InlineData(400, false)]
    public void Sasl_ir_only_while_the_auth_line_stays_within_500_bytes(int tokenLength, bool expected)
    {
        var mechanism = new XOAuth2SaslMechanism("u@example.com", new string('t', tokenLength));

        Assert.Equal(expected, mechanism.SupportsInitialResponse);
    }

    [Fact]
    public void The_500_byte_boundary_is_exact()
    {
        static int LineLength(OAuthSaslMechanism m) => "AUTH XOAUTH2 ".Length + Convert.ToBase64String(m.InitialResponse()).Length + 2;
        var mechanisms = Enumerable.Range(300, 100).Select(n => new XOAuth2SaslMechanism("u@example.com", new string('t', n))).ToList();

        Assert.All(mechanisms.Where(m => m.SupportsInitialResponse), m => Assert.True(LineLength(m) <= 500));
        Assert.All(mechanisms.Where(m => !m.SupportsInitialResponse), m => Assert.True(LineLength(m) > 500));
        Assert.Contains(mechanisms, m => m.SupportsInitialResponse && LineLength(m) > 496);
    }

    [Fact]
    public void Xoauth2_keeps_the_error_challenge_and_answers_it_with_an_empty_response()
    {
        var mechanism = new XOAuth2SaslMechanism("u@example.com", "t");
        mechanism.Challenge(null);

        Assert.Equal("", mechanism.Challenge(B64(Json)));
        Assert.Equal("401", mechanism.ServerError?.Status);
        Assert.Equal("bearer", mechanism.ServerError?.Schemes);
        Assert.Equal(Json, mechanism.ServerError?.RawJson);
        Assert.False(mechanism.IsAuthenticated, "finished only when the server says so, or POP3 stops answering");
    }

    [Fact]
    public void Oauthbearer_answers_the_error_challenge_with_control_A()
    {
        var mechanism = new OAuthBearerSaslMechanism("u@example.com", "t", "localhost", 465);
        mechanism.Challenge(null);

        Assert.Equal("AQ==", mechanism.Challenge(B64(Json)));
        Assert.Equal("401", mechanism.ServerError?.Status);
    }

    [Fact]
    public void A_challenge_after_the_abort_is_refused_instead_of_answered_forever()
    {
        var mechanism = new XOAuth2SaslMechanism("u@example.com", "t");
        mechanism.Challenge(null);
        mechanism.Challenge(B64(Json));

        Assert.Throws<SaslException>(() => mechanism.Challenge(B64(Json)));
    }

    [Fact]
    public void Reset_starts_a_new_exchange()
    {
        var mechanism = new XOAuth2SaslMechanism("u@example.com", "t");
        mechanism.Challenge(null);
        mechanism.Challenge(B64(Json));

        mechanism.Reset();

        Assert.Null(mechanism.ServerError);
        Assert.Equal(Convert.ToBase64String(mechanism.InitialResponse()), mechanism.Challenge(null));
    }

    [Theory]
    [InlineData("user\u0001name", "token")]
    [InlineData("user\r\nname", "token")]
    [InlineData("u@example.com", "token\n")]
    [InlineData("u@example.com", "tok en")]
    public void Control_characters_and_spaces_are_refused(string user, string token)
    {
        Assert.Throws<ArgumentException>(() => new XOAuth2SaslMechanism(user, token));
        Assert.Throws<ArgumentException>(() => new OAuthBearerSaslMechanism(user, token, "localhost", 993));
    }
}
