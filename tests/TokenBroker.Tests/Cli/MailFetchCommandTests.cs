using TokenBroker.Testing;
using static TokenBroker.Tests.Cli.MailCliPeer;

namespace TokenBroker.Tests.Cli;

/// <summary>`tokenbroker mail fetch` against the real Dovecot peer.</summary>
public class MailFetchCommandTests
{
    [Fact]
    public async Task Imap_fetch_writes_each_message_as_eml_and_after_uid_fetches_only_newer_ones()
    {
        var user = NewUser("cli-fetch");
        var token = await MintTokenAsync(user);
        var first = Message("first Grüße");
        var second = Message("second");
        var uids = await AppendAsync(user, token, first, second);
        var tokenFile = await TokenFileAsync(token);
        var outDir = Path.Combine(Path.GetTempPath(), "tb-fetch-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] Args(params string[] extra) => ["mail", "fetch", "--server", Url("imap", "IMAP_PORT"), "--user", user, "--token-file", tokenFile,
                "--ca-file", PeersEnvironment.Get("PEERS_CA_FILE"), "--out", outDir, .. extra];

            var (exitCode, output, error) = await RunAsync(Args());

            Assert.True(exitCode == 0, output + error);
            Assert.Equal(first, await File.ReadAllBytesAsync(Path.Combine(outDir, $"{uids[0]}.eml"), TestContext.Current.CancellationToken));
            Assert.Equal(second, await File.ReadAllBytesAsync(Path.Combine(outDir, $"{uids[1]}.eml"), TestContext.Current.CancellationToken));
            Assert.Contains("2 message(s)", output);
            Assert.Matches($"Checkpoint: folder=INBOX uidvalidity=\\d+ last-uid={uids[1]}", output);
            Assert.DoesNotContain(token[..20], output + error);

            var third = await AppendAsync(user, token, Message("third"));
            var (againExit, again, _) = await RunAsync(Args("--after-uid", uids[1].ToString(System.Globalization.CultureInfo.InvariantCulture)));

            Assert.Equal(0, againExit);
            Assert.Contains("1 message(s)", again);
            Assert.Contains($"{third[0]}.eml", again);
        }
        finally
        {
            File.Delete(tokenFile);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task Pop3_fetch_names_files_by_uidl_and_prints_the_uidl_checkpoint()
    {
        var user = NewUser("cli-pop");
        var token = await MintTokenAsync(user);
        var message = Message("over pop3");
        await AppendAsync(user, token, message);
        var tokenFile = await TokenFileAsync(token);
        var outDir = Path.Combine(Path.GetTempPath(), "tb-fetch-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output, error) = await RunAsync("mail", "fetch", "--server", Url("pop3s", "POP3S_PORT"), "--user", user,
                "--token-file", tokenFile, "--ca-file", PeersEnvironment.Get("PEERS_CA_FILE"), "--out", outDir);

            Assert.True(exitCode == 0, output + error);
            var file = Assert.Single(Directory.GetFiles(outDir));
            Assert.Equal(message, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
            Assert.Contains("Checkpoint: uidls=" + Path.GetFileNameWithoutExtension(file), output);
        }
        finally
        {
            File.Delete(tokenFile);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_refused_token_exits_1_and_bad_arguments_exit_2()
    {
        var user = NewUser("cli-bad");
        var tokenFile = await TokenFileAsync(await MintTokenAsync(user, expiresInSeconds: -60));
        try
        {
            var (refused, _, refusedError) = await RunAsync("mail", "fetch", "--server", Url("imaps", "IMAPS_PORT"), "--user", user,
                "--token-file", tokenFile, "--ca-file", PeersEnvironment.Get("PEERS_CA_FILE"), "--out", Path.GetTempPath());
            Assert.Equal(1, refused);
            Assert.Contains("NO [AUTHENTICATIONFAILED]", refusedError);

            var (badScheme, _, badError) = await RunAsync("mail", "fetch", "--server", "http://example.com", "--user", user,
                "--token-file", tokenFile, "--out", Path.GetTempPath());
            Assert.Equal(2, badScheme);
            Assert.Contains("not a supported mail URL scheme", badError);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
