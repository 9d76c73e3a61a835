using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Mail.Net;
using TokenBroker.OAuth;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>The bridge handles app secrets and access tokens on every login; none of them may reach a log line.</summary>
public sealed class BridgeLogScanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_app_secret_or_access_token_appears_in_any_bridge_log_line()
    {
        var logs = new CollectingLoggerProvider();
        await using var bridge = await RunningBridge.StartAsync("bridge-logscan", adjust: s => s["Logging:LogLevel:Default"] = "Trace",
            services: s => s.AddLogging(logging => logging.AddProvider(logs)));
        var mailbox = Maildir.UniqueAddress("scan");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("scanned", mailbox);
        var wrong = secret[..^6] + "ZZZZZZ";

        Assert.True((await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), "starttls", mailbox, secret, "plain", mailbox, mailbox, "Scan", $"<scan.{Guid.NewGuid():N}@t>")).Ok());
        Assert.True((await PythonMailClient.RunAsync("imap-login", bridge.Port(MailProtocol.Imap), "starttls", mailbox, secret, "login")).Ok());
        Assert.True((await PythonMailClient.RunAsync("pop3-login", bridge.Port(MailProtocol.Pop3), "starttls", mailbox, secret, "plain")).Ok());
        Assert.False((await PythonMailClient.RunAsync("imap-login", bridge.Port(MailProtocol.Imap), "starttls", mailbox, wrong, "login")).Ok());
        var token = (await bridge.Host.Services.GetRequiredService<IMailboxTokenProvider>().GetAccessTokenAsync(mailbox, Ct)).AccessToken;

        var lines = logs.Lines.ToArray();
        Assert.Contains(lines, line => line.Contains("login refused", StringComparison.Ordinal));
        foreach (var value in new[] { secret, wrong, secret[^43..], token }.Concat(token.Split('.').Where(p => p.Length >= 16)))
        {
            var leak = lines.FirstOrDefault(line => line.Contains(value, StringComparison.Ordinal));
            Assert.True(leak is null, $"a secret appears in the log: {leak?[..Math.Min(leak.Length, 120)]}");
        }
    }
}
