using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// Debian's swaks, fetchmail and a Postfix smarthost client (SASL PLAIN over STARTTLS), configured as their users
/// configure them for Exchange Online, but pointed at the bridge: every message arrives exactly once.
/// </summary>
public sealed class DebianClientBridgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Swaks_submits_through_the_bridge_with_auth_login_and_the_message_arrives_once()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-swaks");
        var mailbox = Maildir.UniqueAddress("app");
        var recipient = Maildir.UniqueAddress("rcpt");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("cron", mailbox);

        var run = await DebianMailClient.RunAsync(PeersEnvironment.Get("SWAKS"),
        [
            "--server", "localhost", "--port", bridge.Port(MailProtocol.Smtp).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls", "--tls-verify", "--tls-ca-path", PeersEnvironment.Get("PEERS_CA_FILE"),
            "--auth", "LOGIN", "--auth-user", mailbox,
            "--from", mailbox, "--to", recipient, "--header", "Subject: Nightly report",
        ], new Dictionary<string, string> { ["SWAKS_OPT_auth_password"] = secret });

        Assert.True(run.ExitCode == 0, run.Output);
        var delivered = await Maildir.For(recipient).WaitForMessagesAsync(1, cancellationToken: Ct);
        await Task.Delay(500, Ct);
        Assert.Single(Maildir.For(recipient).List());
        Assert.Equal("Nightly report", delivered[0].Header("Subject")?.Trim());
    }

    [Theory]
    [InlineData(MailProtocol.Imap, "IMAP")]
    [InlineData(MailProtocol.Pop3, "POP3")]
    public async Task Fetchmail_fetches_through_the_bridge_each_message_once(MailProtocol protocol, string fetchmailProtocol)
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-fetchmail", "implicit");
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("fetchmail", mailbox);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = $"<fm.{i}.{Guid.NewGuid():N}@fetchmail.test>";
            ids.Add(id);
            var sent = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), "implicit", mailbox, secret, "login", mailbox, mailbox, "Fetch me", id);
            Assert.True(sent.Ok(), sent.Error());
        }
        await Maildir.For(mailbox).WaitForMessagesAsync(3, cancellationToken: Ct);
        var home = Directory.CreateTempSubdirectory("tokenbroker-fetchmail-").FullName;
        var outbox = Directory.CreateDirectory(Path.Combine(home, "out")).FullName;
        var rc = Path.Combine(home, "fetchmailrc");
        await File.WriteAllTextAsync(rc,
            $"set no bouncemail\n" +
            $"poll localhost service {bridge.Port(protocol)} protocol {fetchmailProtocol} auth password\n" +
            $"  user \"{mailbox}\" password \"{secret}\" is \"tester\" here\n" +
            $"  ssl sslcertck sslcertfile \"{PeersEnvironment.Get("PEERS_CA_FILE")}\" keep\n" +
            $"  mda \"/bin/sh -c 'cat > {outbox}/$(date +%s%N).eml'\"\n", Ct);
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = new Dictionary<string, string> { ["FETCHMAILHOME"] = home, ["HOME"] = home };
        string[] arguments = ["-N", "--nosyslog", "-f", rc, "--pidfile", Path.Combine(home, "fetchmail.pid")];

        var first = await DebianMailClient.RunAsync(PeersEnvironment.Get("FETCHMAIL"), arguments, environment);
        var second = await DebianMailClient.RunAsync(PeersEnvironment.Get("FETCHMAIL"), arguments, environment);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 1, "the second run should find no new mail (exit 1): " + second.Output);
        var fetched = Directory.GetFiles(outbox).Select(f => File.ReadAllLines(f).First(l => l.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))[11..].Trim()).Order().ToList();
        Assert.Equal(ids.Order().ToList(), fetched);
    }

    [Fact]
    public async Task A_postfix_smarthost_client_relays_through_the_bridge_and_each_message_arrives_once()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-smarthost");
        var mailbox = Maildir.UniqueAddress("app");
        var recipient = Maildir.UniqueAddress("rcpt");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("postfix", mailbox);
        var secretFile = Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-smarthost-").FullName, "secret");
        await File.WriteAllTextAsync(secretFile, secret, Ct);
        var script = Path.Combine(RepositoryRoot.Path, "infra", "local", "peers", "postfix-smarthost.sh");
        var started = await DebianMailClient.RunAsync(script, ["start"], new Dictionary<string, string>
        {
            ["SMARTHOST_RELAY"] = $"localhost:{bridge.Port(MailProtocol.Smtp)}",
            ["SMARTHOST_USER"] = mailbox,
            ["SMARTHOST_SECRET_FILE"] = secretFile,
            ["PEERS_BASE_PORT"] = Environment.GetEnvironmentVariable("PEERS_BASE_PORT") ?? "20000",
        });
        Assert.True(started.ExitCode == 0, started.Output);
        try
        {
            var port = int.Parse(File.ReadAllLines(Path.Combine(PeersEnvironment.Directory, "postfix-smarthost.env"))
                .Single(l => l.StartsWith("SMARTHOST_SMTP_PORT=", StringComparison.Ordinal))["SMARTHOST_SMTP_PORT=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var ids = Enumerable.Range(0, 5).Select(i => $"<relay.{i}.{Guid.NewGuid():N}@smarthost.test>").ToList();
            foreach (var id in ids)
            {
                // The site's own mail enters its Postfix as usual (no AUTH: mynetworks); Postfix relays it to the bridge.
                var run = await DebianMailClient.RunAsync(PeersEnvironment.Get("SWAKS"),
                    ["--server", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--from", mailbox, "--to", recipient, "--header", $"Message-Id: {id}", "--header", "Subject: Relayed"]);
                Assert.True(run.ExitCode == 0, run.Output);
            }

            await Maildir.For(recipient).WaitForMessagesAsync(5, TimeSpan.FromSeconds(60), Ct);
            await Task.Delay(1000, Ct);
            var delivered = Maildir.For(recipient).List().Select(m => m.Header("Message-ID")?.Trim() ?? "(none)").Order().ToList();
            Assert.Equal(ids.Order().ToList(), delivered);
        }
        finally
        {
            await DebianMailClient.RunAsync(script, ["stop"]);
        }
    }
}
