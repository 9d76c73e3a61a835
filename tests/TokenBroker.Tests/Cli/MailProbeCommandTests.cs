using TokenBroker.Testing;
using static TokenBroker.Tests.Cli.MailCliPeer;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker mail probe` against the real Dovecot peer.</summary>
public class MailProbeCommandTests
{
    private static async Task<(int ExitCode, string Output, string Error, string Token)> ProbeAsync(string url, string user, string token, params string[] extra)
    {
        var tokenFile = await TokenFileAsync(token);
        try
        {
            var (exitCode, output, error) = await RunAsync(["mail", "probe", "--server", url, "--user", user, "--token-file", tokenFile,
                "--ca-file", PeersEnvironment.Get("PEERS_CA_FILE"), .. extra]);
            return (exitCode, output, error, token);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task A_working_imap_login_exits_0_showing_capabilities_before_and_after_tls_and_login()
    {
        var user = NewUser("probe-ok");
        var (exitCode, output, error, token) = await ProbeAsync(Url("imap", "IMAP_PORT"), user, await MintTokenAsync(user), "--verbose");

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("[ok]   STARTTLS, then CAPABILITY", output);
        Assert.Contains("[ok]   AUTHENTICATE XOAUTH2", output);
        Assert.Matches("Capabilities before TLS: .*STARTTLS", output);
        Assert.Matches("Capabilities after login: .*MOVE", output);
        Assert.Contains("Result: login succeeded.", output);
        Assert.Contains($"user={user}", output);
        Assert.DoesNotContain(token[..20], output + error);
    }

    [Theory]
    [InlineData("pop3", "POP3_PORT", "AUTH OAUTHBEARER")]
    [InlineData("pop3s", "POP3S_PORT", "AUTH OAUTHBEARER")]
    [InlineData("smtp", "SUBMISSION_PORT", "AUTH OAUTHBEARER")]
    [InlineData("imaps", "IMAPS_PORT", "AUTHENTICATE OAUTHBEARER")]
    public async Task Pop3_smtp_and_implicit_tls_logins_are_probed_too(string scheme, string portKey, string authStep)
    {
        var user = NewUser("probe-any");
        var (exitCode, output, error, _) = await ProbeAsync(Url(scheme, portKey), user, await MintTokenAsync(user), "--mechanism", "oauthbearer");

        Assert.True(exitCode == 0, output + error);
        Assert.Contains($"[ok]   {authStep}", output);
    }

    [Fact]
    public async Task An_expired_token_exits_1_with_the_server_reply_the_challenge_and_the_cause()
    {
        var user = NewUser("probe-exp");
        var (exitCode, output, _, _) = await ProbeAsync(Url("imaps", "IMAPS_PORT"), user, await MintTokenAsync(user, expiresInSeconds: -3600));

        Assert.Equal(1, exitCode);
        Assert.Contains("[FAIL] AUTHENTICATE XOAUTH2", output);
        Assert.Contains("NO [AUTHENTICATIONFAILED] Authentication failed.", output);
        Assert.Contains("Challenge: {\"status\":\"401\"", output);
        Assert.Contains("Result: FAILED at AUTHENTICATE XOAUTH2: The access token expired", output);
    }

    [Fact]
    public async Task A_token_of_another_user_is_explained_as_a_user_mismatch()
    {
        var user = NewUser("probe-usr");
        var other = NewUser("probe-oth");
        var (exitCode, output, _, _) = await ProbeAsync(Url("pop3s", "POP3S_PORT"), user, await MintTokenAsync(other));

        Assert.Equal(1, exitCode);
        Assert.Contains("-ERR [AUTH] Authentication failed.", output);
        Assert.Contains($"The token belongs to {other}", output);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_with_a_connection_explanation()
    {
        var user = NewUser("probe-off");
        var (exitCode, output, _, _) = await ProbeAsync("imaps://127.0.0.1:1", user, await MintTokenAsync(user));

        Assert.Equal(1, exitCode);
        Assert.Contains("Result: FAILED at connect: Could not reach imaps://127.0.0.1:1", output);
    }
}
