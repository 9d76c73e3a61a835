using TokenBroker.Testing;
using static TokenBroker.Tests.Cli.MailCliPeer;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker mail send` against the real Dovecot submission peer.</summary>
public class MailSendCommandTests
{
    private static string[] SendArgs(string user, string tokenFile, string recipient, params string[] extra) =>
    [
        "mail", "send", "--server", $"smtp://{PeersEnvironment.Get("MAIL_HOST")}:{PeersEnvironment.Get("SUBMISSION_PORT")}",
        "--user", user, "--token-file", tokenFile, "--ca-file", PeersEnvironment.Get("PEERS_CA_FILE"),
        "--from", user, "--to", recipient, "--subject", "Grüße aus der Kommandozeile", "--text", "hello", .. extra,
    ];

    [Fact]
    public async Task Sends_with_a_token_file_and_never_prints_the_token()
    {
        var user = NewUser("cli");
        var recipient = NewUser("cli-rcpt");
        var token = await MintTokenAsync(user);
        var tokenFile = Path.GetTempFileName();
        var attachment = Path.Combine(Path.GetTempPath(), $"Bericht-{Guid.NewGuid():N}-ü.txt");
        await File.WriteAllTextAsync(tokenFile, token + "\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(attachment, "attached", TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output, error) = await RunAsync(SendArgs(user, tokenFile, recipient, "--mechanism", "oauthbearer", "--attach", attachment, "--verbose"));

            Assert.True(exitCode == 0, error);
            Assert.Contains($"to {recipient}: 250", output);
            Assert.DoesNotContain(token, output + error);
            Assert.DoesNotContain(token[..20], output + error);
            Assert.Contains("<redacted", error); // the verbose dialogue shows AUTH, without its payload
        }
        finally
        {
            File.Delete(tokenFile);
            File.Delete(attachment);
        }
    }

    [Fact]
    public async Task An_expired_token_exits_1_with_the_server_reply()
    {
        var user = NewUser("cli");
        var token = await MintTokenAsync(user, expiresInSeconds: -600);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, token, TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, output, error) = await RunAsync(SendArgs(user, tokenFile, user));

            Assert.Equal(1, exitCode);
            Assert.Contains("535 5.7.8", error);
            Assert.DoesNotContain(token, output + error);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData("http://localhost:25", "'http' is not a supported mail URL scheme")]
    [InlineData("imaps://localhost", "is not an SMTP server")]
    public async Task A_server_that_is_not_smtp_exits_2(string server, string expected)
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "t", TestContext.Current.CancellationToken);
        try
        {
            var (exitCode, _, error) = await RunAsync("mail", "send", "--server", server, "--user", "a@b.c", "--token-file", tokenFile,
                "--from", "a@b.c", "--to", "d@e.f", "--subject", "s", "--text", "t");

            Assert.Equal(2, exitCode);
            Assert.Contains(expected, error);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
