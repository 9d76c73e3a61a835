using System.Text;
using MailKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Sasl;

/// <summary>
/// MailKit's clients driven by <see cref="OAuthLogin"/> against a scripted server: the exact bytes the
/// client writes (SASL-IR or the prompted form, the abort response to an error challenge) and what the
/// resulting exception carries.
/// </summary>
public class OAuthLoginTranscriptTests
{
    private const string User = "alice@example.test";
    private const string Json = """{"status":"401","schemes":"bearer","scope":"mail","openid-configuration":"https://localhost:21000/.well-known/openid-configuration"}""";
    private const string SmtpEhlo = "250-mail.test\r\n250-PIPELINING\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 ENHANCEDSTATUSCODES\r\n";
    private const string ImapGreeting = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] Dovecot ready.\r\n";
    private const string Pop3Capa = "+OK\r\nSASL XOAUTH2 OAUTHBEARER\r\nUIDL\r\nUSER\r\n.\r\n";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Blob(OAuthSaslMechanism mechanism) => Convert.ToBase64String(mechanism.InitialResponse());

    private static string JsonChallenge => Convert.ToBase64String(Encoding.UTF8.GetBytes(Json));

    private static ScriptedServer Smtp(Action<ScriptedServer> afterEhlo, string ehlo = SmtpEhlo) => ScriptedServer.Start(s =>
    {
        s.StartTls().Send("220 mail.test ESMTP ready\r\n").Expect("EHLO localhost").Send(ehlo);
        afterEhlo(s);
    });

    private static async Task<T> ConnectAsync<T>(T client, ScriptedServer server, string scheme, IMailProtocolLog? log = null) where T : MailService
    {
        await MailKitConnector.ConnectAsync(client, server.Endpoint(scheme), ScriptedServer.ClientOptions(), Cancel);
        return client;
    }

    private static MailKit.Net.Smtp.SmtpClient NewSmtp(IMailProtocolLog? log = null)
    {
        var options = ScriptedServer.ClientOptions();
        options.ProtocolLog = log;
        return MailKitConnector.CreateSmtp(options);
    }

    [Fact]
    public async Task Smtp_short_initial_response_goes_on_the_auth_line()
    {
        var mechanism = new XOAuth2SaslMechanism(User, "short-token");
        await using var server = Smtp(s => s.Expect("AUTH XOAUTH2 " + Blob(mechanism)).Send("235 2.7.0 Authentication successful\r\n"));
        using (var client = await ConnectAsync(NewSmtp(), server, "smtps"))
        {
            await OAuthLogin.AuthenticateAsync(client, mechanism, Cancel);
            Assert.True(client.IsAuthenticated);
        }

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2 {Blob(mechanism)}\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Smtp_long_initial_response_waits_for_the_334_prompt()
    {
        var mechanism = new XOAuth2SaslMechanism(User, new string('t', 6000));
        await using var server = Smtp(s => s.Expect("AUTH XOAUTH2").Send("334 \r\n").Expect(Blob(mechanism)).Send("235 2.7.0 OK\r\n"));
        using (var client = await ConnectAsync(NewSmtp(), server, "smtps"))
            await OAuthLogin.AuthenticateAsync(client, mechanism, Cancel);

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2\r\n{Blob(mechanism)}\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Smtp_json_error_challenge_is_answered_with_an_empty_line_and_kept_on_the_failure()
    {
        var mechanism = new XOAuth2SaslMechanism(User, "expired");
        await using var server = Smtp(s => s.Expect("AUTH XOAUTH2 " + Blob(mechanism)).Send($"334 {JsonChallenge}\r\n")
            .Expect("").Send("535 5.7.8 Authentication failed.\r\n"));
        using (var client = await ConnectAsync(NewSmtp(), server, "smtps"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));

            Assert.Equal("535 5.7.8 Authentication failed.", error.ServerReply);
            Assert.Equal("401", error.SaslServerError?.Status);
            Assert.Equal("bearer", error.SaslServerError?.Schemes);
            Assert.Equal("mail", error.SaslServerError?.Scope);
            Assert.Equal("https://localhost:21000/.well-known/openid-configuration", error.SaslServerError?.OpenIdConfiguration);
            Assert.Equal(Json, error.SaslServerError?.RawJson);
            Assert.False(error.IsTransient);
            Assert.Contains("535 5.7.8 Authentication failed. (server error challenge: status 401", error.Message);
            Assert.True(client.IsConnected);
        }

        Assert.Equal($"EHLO localhost\r\nAUTH XOAUTH2 {Blob(mechanism)}\r\n\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Smtp_json_error_challenge_is_answered_with_control_A_for_oauthbearer()
    {
        var mechanism = new OAuthBearerSaslMechanism(User, "expired", "localhost", 465);
        await using var server = Smtp(s => s.Expect("AUTH OAUTHBEARER " + Blob(mechanism)).Send($"334 {JsonChallenge}\r\n")
            .Expect("AQ==").Send("535 5.7.8 Authentication failed.\r\n"));
        using (var client = await ConnectAsync(NewSmtp(), server, "smtps"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));
            Assert.Equal("401", error.SaslServerError?.Status);
        }

        Assert.EndsWith("\r\nAQ==\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Smtp_direct_535_carries_the_reply_and_the_exchange_explanation()
    {
        await using var server = Smtp(s => s.ReadLine().Send("535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]\r\n"));
        using var client = await ConnectAsync(NewSmtp(), server, "smtps");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(User, "graph-token"), Cancel));

        Assert.Equal("535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]", error.ServerReply);
        Assert.Null(error.SaslServerError);
        Assert.Contains("audience https://outlook.office.com", error.Message);
    }

    [Fact]
    public async Task Smtp_temporary_authentication_failure_is_transient()
    {
        await using var server = Smtp(s => s.ReadLine().Send("454 4.7.0 Temporary authentication failure\r\n"));
        using var client = await ConnectAsync(NewSmtp(), server, "smtps");

        var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(User, "t"), Cancel));

        Assert.True(error.IsTransient);
        Assert.Equal("454 4.7.0 Temporary authentication failure", error.ServerReply);
    }

    [Fact]
    public async Task Smtp_a_mechanism_the_server_does_not_offer_is_not_tried()
    {
        await using var server = Smtp(_ => { }, "250-mail.test\r\n250 AUTH PLAIN LOGIN\r\n");
        using (var client = await ConnectAsync(NewSmtp(), server, "smtps"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, new XOAuth2SaslMechanism(User, "t"), Cancel));
            Assert.Contains("does not offer XOAUTH2; it offers LOGIN, PLAIN", error.Message);
        }

        Assert.Equal("EHLO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Smtp_without_starttls_offered_is_refused_before_any_credentials()
    {
        await using var server = ScriptedServer.Start(s => s.Send("220 mail.test ESMTP\r\n").Expect("EHLO localhost").Send(SmtpEhlo));
        using (var client = NewSmtp())
        {
            var error = await Assert.ThrowsAsync<MailProtocolException>(() => MailKitConnector.ConnectAsync(client, server.Endpoint("smtp"), ScriptedServer.ClientOptions(), Cancel));
            Assert.Contains("does not offer STARTTLS", error.Message);
            Assert.False(client.IsConnected);
        }

        Assert.Equal("EHLO localhost\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task The_token_never_reaches_the_protocol_log()
    {
        var log = new ListLog();
        var token = "secret-token-" + new string('x', 3000);
        var mechanism = new XOAuth2SaslMechanism(User, token);
        await using var server = Smtp(s => s.Expect("AUTH XOAUTH2").Send("334 \r\n").ReadLine()
            .Send($"334 {JsonChallenge}\r\n").Expect("").Send("535 5.7.8 Authentication failed.\r\n"));
        using var client = await ConnectAsync(NewSmtp(log), server, "smtps");

        await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));

        Assert.DoesNotContain(log.Lines, line => line.Contains("secret-token", StringComparison.Ordinal) || line.Contains(Blob(mechanism)[..40], StringComparison.Ordinal));
        Assert.Contains(log.Lines, line => line.StartsWith("C: <redacted ", StringComparison.Ordinal));
        Assert.Contains("S: 535 5.7.8 Authentication failed.", log.Lines);
        Assert.Contains("C: AUTH XOAUTH2", log.Lines);
    }

    [Fact]
    public async Task Imap_short_token_rides_on_the_authenticate_line_and_the_tagged_no_is_the_reply()
    {
        var mechanism = new XOAuth2SaslMechanism(User, "short-token");
        await using var server = ScriptedServer.Start(s => s.StartTls().Send(ImapGreeting)
            .ExpectTagged("AUTHENTICATE XOAUTH2 " + Blob(mechanism)).Send($"+ {JsonChallenge}\r\n")
            .Expect("").SendTagged("NO [AUTHENTICATIONFAILED] Authentication failed."));
        using (var client = await ConnectAsync(MailKitConnector.CreateImap(ScriptedServer.ClientOptions()), server, "imaps"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));

            Assert.EndsWith(" NO [AUTHENTICATIONFAILED] Authentication failed.", error.ServerReply);
            Assert.Equal("401", error.SaslServerError?.Status);
            Assert.False(error.IsTransient);
        }

        var sent = (await server.ClientTextAsync()).Split("\r\n");
        Assert.EndsWith(" AUTHENTICATE XOAUTH2 " + Blob(mechanism), sent[0]);
        Assert.Equal("", sent[1]);
    }

    [Fact]
    public async Task Imap_long_token_goes_after_the_continuation_and_unavailable_is_transient()
    {
        var mechanism = new OAuthBearerSaslMechanism(User, new string('t', 6000), "localhost", 993);
        await using var server = ScriptedServer.Start(s => s.StartTls().Send(ImapGreeting)
            .ExpectTagged("AUTHENTICATE OAUTHBEARER").Send("+ \r\n").Expect(Blob(mechanism))
            .SendTagged("NO [UNAVAILABLE] Temporary authentication failure."));
        using (var client = await ConnectAsync(MailKitConnector.CreateImap(ScriptedServer.ClientOptions()), server, "imaps"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));
            Assert.True(error.IsTransient);
            Assert.Null(error.SaslServerError);
        }

        Assert.EndsWith($" AUTHENTICATE OAUTHBEARER\r\n{Blob(mechanism)}\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Pop3_answers_the_error_challenge_so_the_next_login_on_the_same_connection_works()
    {
        var refused = new XOAuth2SaslMechanism(User, "expired");
        var accepted = new XOAuth2SaslMechanism(User, "fresh");
        await using var server = ScriptedServer.Start(s => s.StartTls().Send("+OK Dovecot ready.\r\n").Expect("CAPA").Send(Pop3Capa)
            .Expect("AUTH XOAUTH2").Send("+ \r\n").Expect(Blob(refused)).Send($"+ {JsonChallenge}\r\n")
            .Expect("").Send("-ERR [AUTH] Authentication failed.\r\n")
            .Expect("AUTH XOAUTH2").Send("+ \r\n").Expect(Blob(accepted)).Send("+OK Logged in.\r\n")
            .Expect("CAPA").Send(Pop3Capa).Expect("STAT").Send("+OK 0 0\r\n"));
        using (var client = await ConnectAsync(MailKitConnector.CreatePop3(ScriptedServer.ClientOptions()), server, "pop3s"))
        {
            var error = await Assert.ThrowsAsync<MailAuthenticationException>(() => OAuthLogin.AuthenticateAsync(client, refused, Cancel));
            Assert.Equal("-ERR [AUTH] Authentication failed.", error.ServerReply);
            Assert.Equal("401", error.SaslServerError?.Status);

            await OAuthLogin.AuthenticateAsync(client, accepted, Cancel);
            Assert.True(client.IsAuthenticated);
        }

        Assert.Equal($"CAPA\r\nAUTH XOAUTH2\r\n{Blob(refused)}\r\n\r\nAUTH XOAUTH2\r\n{Blob(accepted)}\r\nCAPA\r\nSTAT\r\n", await server.ClientTextAsync());
    }

    [Fact]
    public async Task Pop3_throttling_becomes_a_throttled_exception_with_the_backoff()
    {
        var mechanism = new XOAuth2SaslMechanism(User, "t");
        await using var server = ScriptedServer.Start(s => s.StartTls().Send("+OK ready.\r\n").Expect("CAPA").Send(Pop3Capa)
            .Expect("AUTH XOAUTH2").Send("+ \r\n").ReadLine().Send("-ERR Request is throttled. Suggested Backoff Time: 2500 ms\r\n"));
        using var client = await ConnectAsync(MailKitConnector.CreatePop3(ScriptedServer.ClientOptions()), server, "pop3s");

        var error = await Assert.ThrowsAsync<MailThrottledException>(() => OAuthLogin.AuthenticateAsync(client, mechanism, Cancel));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), error.SuggestedBackoff);
    }

    [Fact]
    public async Task A_certificate_from_an_untrusted_ca_fails_the_connection_in_words()
    {
        await using var server = ScriptedServer.Start(s => s.StartTls());
        var options = ScriptedServer.ClientOptions();
        options.ExtraTrustedRoots = [ScriptedServerCertificates.UnrelatedCertificateAuthority];
        using var client = MailKitConnector.CreateImap(options);

        var error = await Assert.ThrowsAsync<MailProtocolException>(() => MailKitConnector.ConnectAsync(client, server.Endpoint("imaps"), options, Cancel));

        Assert.Contains("TLS handshake", error.Message);
        Assert.Contains("does not chain to a trusted root", error.Message);
    }

    private sealed class ListLog : IMailProtocolLog
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }

        public void Log(MailLogDirection direction, string line)
        {
            var prefix = direction switch { MailLogDirection.Client => "C: ", MailLogDirection.Server => "S: ", _ => "* " };
            lock (_lines) _lines.Add(prefix + line);
        }
    }
}
