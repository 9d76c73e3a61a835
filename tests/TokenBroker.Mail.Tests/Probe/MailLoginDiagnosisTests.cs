using System.Text.Json.Nodes;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Probe;
using TokenBroker.Mail.Sasl;
using TokenBroker.Mail.Tokens;
using TokenBroker.Mail.Tests.Support;

namespace TokenBroker.Mail.Tests.Probe;

public class MailLoginDiagnosisTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 21, 0, 0, TimeSpan.Zero);
    private const string User = "alice@contoso.example";

    private static AccessTokenClaims Claims(string aud = "https://outlook.office.com", string? scp = "IMAP.AccessAsUser.All SMTP.Send",
        string[]? roles = null, int expiresInMinutes = 60, string upn = User)
    {
        var payload = new JsonObject { ["aud"] = aud, ["exp"] = Now.AddMinutes(expiresInMinutes).ToUnixTimeSeconds(), ["upn"] = upn };
        if (scp is not null) payload["scp"] = scp;
        if (roles is not null) payload["roles"] = new JsonArray(roles.Select(r => (JsonNode)r!).ToArray());
        return AccessTokenClaims.TryDecode(TestJwts.WithPayload(payload))!;
    }

    private static MailProbeResult FailedLogin(string scheme = "imaps", string reply = "A3 NO AUTHENTICATE failed.")
    {
        var result = new MailProbeResult { Endpoint = MailEndpoint.Parse($"{scheme}://outlook.office365.com") };
        result.Steps.Add(new MailProbeStep("connect", true, []));
        result.Steps.Add(new MailProbeStep("AUTHENTICATE XOAUTH2", false, [reply], "failed"));
        result.AuthenticationReply = reply;
        return result;
    }

    [Fact]
    public void Claims_are_decoded_from_the_payload_without_the_signature()
    {
        var claims = Claims();
        Assert.Equal(["https://outlook.office.com"], claims.Audiences);
        Assert.Equal(["IMAP.AccessAsUser.All", "SMTP.Send"], claims.Scopes);
        Assert.Equal([User], claims.UserNames);
        Assert.Contains("exp=2026-11-21 22:00:00Z (in 1 h)", claims.Describe(Now));
        Assert.Null(AccessTokenClaims.TryDecode("opaque-token"));
        Assert.Null(AccessTokenClaims.TryDecode("a.!!!.c"));
    }

    [Fact]
    public void An_expired_token_is_named_as_the_cause()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin(), Claims(expiresInMinutes: -30), User, Now);
        Assert.StartsWith("The access token expired 30 min ago", text);
    }

    [Fact]
    public void A_graph_token_is_a_wrong_audience()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin(), Claims(aud: "https://graph.microsoft.com"), User, Now);
        Assert.StartsWith("Wrong audience https://graph.microsoft.com", text);
    }

    [Fact]
    public void A_missing_scope_names_the_scope_the_protocol_needs()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin("pop3s", "-ERR Authentication failure"), Claims(), User, Now);
        Assert.StartsWith("The token lacks the POP.AccessAsUser.All scope", text);
    }

    [Fact]
    public void An_app_only_token_without_the_role_names_the_role()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin(), Claims(scp: null, roles: ["SMTP.SendAsApp"]), User, Now);
        Assert.StartsWith("The app-only token lacks the IMAP.AccessAsApp role", text);
    }

    [Fact]
    public void A_token_of_another_user_is_a_user_mismatch()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin(), Claims(upn: "bob@contoso.example"), User, Now);
        Assert.StartsWith("The token belongs to bob@contoso.example but the login is for alice@contoso.example", text);
    }

    [Fact]
    public void Disabled_smtp_auth_is_recognised_from_the_reply()
    {
        var text = MailLoginDiagnosis.Explain(FailedLogin("smtp", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."), Claims(), User, Now);
        Assert.StartsWith("SMTP AUTH is disabled", text);
    }

    [Fact]
    public void A_good_looking_token_refused_with_a_challenge_points_at_signature_or_issuer()
    {
        var result = FailedLogin(reply: "A3 NO [AUTHENTICATIONFAILED] Authentication failed.");
        result.SaslServerError = SaslServerError.Parse("{\"status\":\"401\",\"schemes\":\"bearer\"}"u8.ToArray());
        var text = MailLoginDiagnosis.Explain(result, Claims(), User, Now);
        Assert.StartsWith("The server refused a token whose claims look right", text);
    }

    [Fact]
    public async Task Exchange_accepting_the_login_but_not_the_mailbox_is_reported_as_imap_disabled()
    {
        // Exchange answers every command after a login to a mailbox with IMAP disabled with BAD; MailKit's own
        // follow-up (NAMESPACE) gets it first, inside its login call: the probe reports it as its own step.
        const string NotConnected = "BAD User is authenticated but not connected.";
        await using var server = ScriptedServer.Start(s => s.StartTls()
            .Send("* OK The Microsoft Exchange IMAP4 service is ready.\r\n")
            .ExpectTagged("CAPABILITY").Send("* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n").SendTagged("OK CAPABILITY completed.")
            .ExpectTagged("AUTHENTICATE XOAUTH2").Send("+ \r\n").ReadLine().SendTagged("OK AUTHENTICATE completed.")
            .ExpectTagged("CAPABILITY").Send("* CAPABILITY IMAP4 IMAP4rev1 UIDPLUS MOVE NAMESPACE\r\n").SendTagged("OK CAPABILITY completed.")
            .ExpectTagged("NAMESPACE").SendTagged(NotConnected));

        var result = await MailLoginProbe.ProbeAsync(server.Endpoint("imaps"), ScriptedServer.ClientOptions(),
            new XOAuth2SaslMechanism(User, new string('t', 600)), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded, string.Join("\n", result.Transcript) + "\n" + result.FailedStep?.Error);
        Assert.Equal(["connect", "CAPABILITY", "AUTHENTICATE XOAUTH2", "first command after login"], result.Steps.Select(step => step.Name));
        Assert.Contains(NotConnected, result.FailedStep!.Error);
        Assert.Contains("AUTH=XOAUTH2", result.CapabilitiesAfterTls!);
        Assert.Contains("MOVE", result.CapabilitiesAfterLogin!);
        Assert.Contains(result.Transcript, line => line.StartsWith("C: <redacted", StringComparison.Ordinal));
        Assert.StartsWith("Login worked but the server refuses IMAP access to the mailbox: IMAP is disabled",
            MailLoginDiagnosis.Explain(result, Claims(), User, Now));
    }
}
