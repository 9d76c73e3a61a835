using System.Text;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Smtp;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Smtp;

public class SmtpAuthenticateTests
{
    private const string User = "alice@example.test";
    private const string JsonChallenge = """{"status":"401","schemes":"bearer","scope":"mail","openid-configuration":"https://localhost:21000/.well-known/openid-configuration"}""";

    private static string Blob(ISaslMechanism mechanism) => SaslEncoding.EncodeInitialResponse(mechanism.Start());

    [Fact]
    public async Task Short_initial_response_goes_on_the_auth_line()
    {
        var mechanism = new XOAuth2Mechanism(User, "short-token");
        await using var server = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2 " + Blob(mechanism)).Send("235 2.7.0 Authentication successful\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            await client.AuthenticateAsync(mechanism);
            Assert.True(client.IsAuthenticated);
        }

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2 {Blob(mechanism)}\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Long_initial_response_waits_for_the_334_prompt()
    {
        var mechanism = new XOAuth2Mechanism(User, new string('t', 6000));
        await using var server = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2").Send("334 \r\n").Expect(Blob(mechanism)).Send("235 2.7.0 OK\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
            await client.AuthenticateAsync(mechanism);

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2\r\n{Blob(mechanism)}\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task The_auth_line_length_limit_is_500_bytes_including_crlf()
    {
        // "AUTH XOAUTH2 " (13) + base64 + CRLF: find the token lengths either side of the limit.
        var fits = Enumerable.Range(1, 400).Select(n => new XOAuth2Mechanism(User, new string('t', n)))
            .Last(m => 13 + Blob(m).Length + 2 <= SmtpClient.MaxInitialResponseLineLength);
        var tooLong = Enumerable.Range(1, 400).Select(n => new XOAuth2Mechanism(User, new string('t', n)))
            .First(m => 13 + Blob(m).Length + 2 > SmtpClient.MaxInitialResponseLineLength);
        await using var inline = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2 " + Blob(fits)).Send("235 2.7.0 OK\r\n"));
        await using var prompted = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2").Send("334 \r\n").Expect(Blob(tooLong)).Send("235 2.7.0 OK\r\n"));

        await using (var client = await SmtpTestServer.ConnectAsync(inline)) await client.AuthenticateAsync(fits);
        await using (var client = await SmtpTestServer.ConnectAsync(prompted)) await client.AuthenticateAsync(tooLong);

        // base64 grows in steps of 4: the longest inline line lands within 4 bytes of the limit.
        Assert.InRange((await inline.ClientTextAsync()).Split("\r\n")[1].Length + 2, SmtpClient.MaxInitialResponseLineLength - 3, SmtpClient.MaxInitialResponseLineLength);
        Assert.NotEmpty(await prompted.ClientTextAsync());
    }

    [Fact]
    public async Task Json_error_challenge_is_answered_with_an_empty_line_and_reported_for_xoauth2()
    {
        var mechanism = new XOAuth2Mechanism(User, "expired");
        var challenge = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonChallenge));
        await using var server = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2 " + Blob(mechanism)).Send($"334 {challenge}\r\n")
            .Expect("").Send("535 5.7.8 Authentication failed.\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(mechanism));

            Assert.Equal("535 5.7.8 Authentication failed.", error.ServerReply);
            Assert.Equal("401", error.SaslServerError?.Status);
            Assert.Equal("bearer", error.SaslServerError?.Schemes);
            Assert.Equal("mail", error.SaslServerError?.Scope);
            Assert.Equal("https://localhost:21000/.well-known/openid-configuration", error.SaslServerError?.OpenIdConfiguration);
            Assert.Equal(JsonChallenge, error.SaslServerError?.RawJson);
            Assert.False(error.IsTransient);
            Assert.True(client.IsConnected);
        }

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2 {Blob(mechanism)}\r\n\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Json_error_challenge_is_answered_with_control_A_for_oauthbearer()
    {
        var mechanism = new OAuthBearerMechanism(User, "expired", "localhost", 465);
        var challenge = Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonChallenge));
        await using var server = SmtpTestServer.Start(s => s.Expect("AUTH OAUTHBEARER " + Blob(mechanism)).Send($"334 {challenge}\r\n")
            .Expect("AQ==").Send("535 5.7.8 Authentication failed.\r\n"));
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(mechanism));
            Assert.Equal("401", error.SaslServerError?.Status);
        }

        Assert.EndsWith("\r\nAQ==\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Direct_535_without_a_challenge_fails_with_the_reply_and_the_exchange_hint()
    {
        var mechanism = new XOAuth2Mechanism(User, "graph-audience-token");
        await using var server = SmtpTestServer.Start(s => s.ReadLine().Send("535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(mechanism));

        Assert.Equal("535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]", error.ServerReply);
        Assert.Null(error.SaslServerError);
        Assert.Contains("audience https://outlook.office.com", error.Message);
    }

    [Fact]
    public async Task Smtp_auth_disabled_for_the_tenant_says_how_to_enable_it()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().Send("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new XOAuth2Mechanism(User, "t")));

        Assert.Contains("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false", error.Message);
    }

    [Fact]
    public async Task Temporary_authentication_failure_is_transient()
    {
        await using var server = SmtpTestServer.Start(s => s.ReadLine().Send("454 4.7.0 Temporary authentication failure\r\n"));
        await using var client = await SmtpTestServer.ConnectAsync(server);

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new XOAuth2Mechanism(User, "t")));

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_mechanism_the_server_does_not_offer_is_not_tried()
    {
        await using var server = SmtpTestServer.Start(_ => { }, "250-mail.test\r\n250 AUTH PLAIN LOGIN\r\n");
        await using (var client = await SmtpTestServer.ConnectAsync(server))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new XOAuth2Mechanism(User, "t")));
            Assert.Contains("does not offer XOAUTH2; it offers LOGIN, PLAIN", error.Message);
        }

        Assert.Equal("EHLO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task The_token_never_reaches_the_protocol_log()
    {
        var log = new List<string>();
        var token = "secret-token-" + new string('x', 3000);
        await using var server = SmtpTestServer.Start(s => s.Expect("AUTH XOAUTH2").Send("334 \r\n").ReadLine()
            .Send($"334 {Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonChallenge))}\r\n").Expect("").Send("535 5.7.8 Authentication failed.\r\n"));
        var options = ScriptedServer.ClientOptions();
        options.ProtocolLog = new ListLog(log);
        await using var client = new SmtpClient(options);
        await client.ConnectAsync(server.Endpoint("smtps"));

        await Assert.ThrowsAsync<MailAuthenticationException>(() => client.AuthenticateAsync(new XOAuth2Mechanism(User, token)));

        var blob = Blob(new XOAuth2Mechanism(User, token));
        Assert.DoesNotContain(log, line => line.Contains("secret-token", StringComparison.Ordinal) || line.Contains(blob[..40], StringComparison.Ordinal));
        Assert.Contains(log, line => line.StartsWith("<redacted ", StringComparison.Ordinal));
    }

    private sealed class ListLog(List<string> lines) : IMailProtocolLog
    {
        public void Log(MailLogDirection direction, string line) { lock (lines) lines.Add(line); }
    }
}
