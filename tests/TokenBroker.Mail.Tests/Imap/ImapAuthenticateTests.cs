using System.Text;
using TokenBroker.Mail.Sasl;
using static TokenBroker.Mail.Tests.Imap.ImapTranscript;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapAuthenticateTests
{
    private const string Blob = "user=a@example.com\u0001auth=Bearer token-value\u0001\u0001";
    private static readonly string Base64Blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(Blob));
    private const string JsonChallenge = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}";
    private static readonly string Base64Challenge = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonChallenge));

    [Fact]
    public async Task With_SASL_IR_the_initial_response_goes_on_the_command_line()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "A1 OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] Logged in"));

        await client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken);

        Assert.Equal($"A1 AUTHENTICATE XOAUTH2 {Base64Blob}\r\n", transport.Written);
        Assert.True(client.IsAuthenticated);
        Assert.True(client.HasCapability("MOVE"));
    }

    [Fact]
    public async Task Without_SASL_IR_the_initial_response_follows_the_continuation()
    {
        var (client, transport) = await StartAsync(Lines(
            "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready",
            "+ ",
            "A1 OK AUTHENTICATE completed.",
            "* CAPABILITY IMAP4rev1 MOVE",
            "A2 OK CAPABILITY completed."));

        await client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken);

        Assert.Equal($"A1 AUTHENTICATE XOAUTH2\r\n{Base64Blob}\r\nA2 CAPABILITY\r\n", transport.Written);
        Assert.True(client.HasCapability("MOVE"));
    }

    [Fact]
    public async Task A_json_error_challenge_is_answered_before_the_failure_which_carries_reply_and_challenge()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "+ " + Base64Challenge,
            "A1 NO [AUTHENTICATIONFAILED] Authentication failed."));
        var mechanism = new XOAuth2Mechanism("a@example.com", "token-value");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(
            () => client.AuthenticateAsync(mechanism, TestContext.Current.CancellationToken));

        Assert.Equal($"A1 AUTHENTICATE XOAUTH2 {Base64Blob}\r\n\r\n", transport.Written);
        Assert.Equal("401", mechanism.ServerError?.Status);
        Assert.Equal("A1 NO [AUTHENTICATIONFAILED] Authentication failed.", error.ServerReply);
        Assert.Equal(JsonChallenge, error.SaslServerError?.RawJson);
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task OAUTHBEARER_answers_a_failure_challenge_with_the_mechanism_reply()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting,
            "+ " + Base64Challenge,
            "A1 NO [AUTHENTICATIONFAILED] Authentication failed."));

        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(
            new OAuthBearerMechanism("a@example.com", "token-value", "localhost", 993),
            TestContext.Current.CancellationToken));

        Assert.EndsWith("\r\nAQ==\r\n", transport.Written);
    }

    [Fact]
    public async Task A_direct_NO_as_Exchange_sends_it_is_an_authentication_failure_without_challenge()
    {
        var (client, _) = await StartAsync(Lines(
            "* OK The Microsoft Exchange IMAP4 service is ready.",
            "+ ",
            "A1 NO AUTHENTICATE failed."));

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));

        Assert.Equal("A1 NO AUTHENTICATE failed.", error.ServerReply);
        Assert.Null(error.SaslServerError?.RawJson);
    }

    [Fact]
    public async Task The_protocol_log_never_shows_the_initial_response_or_answers()
    {
        var (client, transport) = await StartAsync(Lines(
            "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] ready", "+ ", "A1 OK [CAPABILITY IMAP4rev1] done"));
        await client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(Base64Blob, transport.Log);

        var (sasl, saslTransport) = await StartAsync(Lines(DovecotGreeting, "A1 OK [CAPABILITY IMAP4rev1] done"));
        await sasl.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(Base64Blob, saslTransport.Log);
    }

    [Fact]
    public async Task Credentials_are_never_sent_without_TLS()
    {
        var (client, transport) = await StartAsync(Lines(DovecotGreeting), encrypted: false);
        await Assert.ThrowsAsync<MailAuthenticationException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));
        Assert.Equal("", transport.Written);
    }

    [Fact]
    public async Task A_throttled_login_is_a_transient_error_with_the_suggested_delay()
    {
        var (client, _) = await StartAsync(Lines(DovecotGreeting,
            "A1 NO Request is throttled. Suggested Backoff Time: 2500 ms"));
        var error = await Assert.ThrowsAsync<MailThrottledException>(() =>
            client.AuthenticateAsync(new XOAuth2Mechanism("a@example.com", "token-value"), TestContext.Current.CancellationToken));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), error.SuggestedBackoff);
    }
}
