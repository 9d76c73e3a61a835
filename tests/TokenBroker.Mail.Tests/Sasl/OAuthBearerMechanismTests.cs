using System.Text;
using TokenBroker.Mail.Sasl;

namespace TokenBroker.Mail.Tests.Sasl;

public class OAuthBearerMechanismTests
{
    [Fact]
    public void Initial_response_has_the_gs2_header_host_port_and_bearer_token()
    {
        var mechanism = new OAuthBearerMechanism("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143);

        // RFC 7628 §4.1 example.
        Assert.Equal(
            "n,a=user@example.com,\u0001host=server.example.com\u0001port=143\u0001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\u0001\u0001",
            Encoding.UTF8.GetString(mechanism.Start()));
    }

    [Fact]
    public void Comma_and_equals_in_the_user_are_escaped_in_the_gs2_header()
    {
        var mechanism = new OAuthBearerMechanism("a=b,c@example.com", "t", "h", 1);

        Assert.StartsWith("n,a=a=3Db=2Cc@example.com,\u0001", Encoding.UTF8.GetString(mechanism.Start()));
    }

    [Fact]
    public void Error_challenge_is_decoded_and_answered_with_control_A()
    {
        var mechanism = new OAuthBearerMechanism("u@example.com", "t", "h", 587);
        mechanism.Start();
        var challenge = """{"status":"invalid_token","scope":"mail","openid-configuration":"https://localhost:9/.well-known/openid-configuration"}""";

        var answer = mechanism.Next(Encoding.UTF8.GetBytes(challenge));

        Assert.Equal([0x01], answer);
        Assert.Equal("AQ==", SaslEncoding.EncodeResponse(answer));
        Assert.Equal("invalid_token", mechanism.ServerError?.Status);
        Assert.Equal("https://localhost:9/.well-known/openid-configuration", mechanism.ServerError?.OpenIdConfiguration);
        Assert.Equal(challenge, mechanism.ServerError?.RawJson);
    }

    [Fact]
    public void A_challenge_that_is_not_json_is_kept_raw()
    {
        var error = SaslServerError.Parse(Encoding.UTF8.GetBytes("not json"));

        Assert.Null(error.Status);
        Assert.Equal("not json", error.RawJson);
    }
}
