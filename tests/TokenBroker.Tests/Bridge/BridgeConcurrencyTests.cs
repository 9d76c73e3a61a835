using System.Collections.Concurrent;
using System.Diagnostics;
using MailKit.Net.Imap;
using MailKit.Security;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// Many apps at once: every login is served on its own, so a hundred logins (some of them waiting out a wrong secret's
/// delay) hold up neither each other nor a session that is already relaying.
/// </summary>
public sealed class BridgeConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ImapClient> ConnectAsync(RunningBridge bridge)
    {
        var client = new ImapClient { Timeout = 60_000 };
        client.ServerCertificateValidationCallback = TestCertificates.ValidationCallback;
        await client.ConnectAsync("localhost", bridge.Port(MailProtocol.Imap), SecureSocketOptions.StartTls, Ct);
        return client;
    }

    [Fact]
    public async Task A_hundred_apps_logging_in_at_once_are_all_served_and_wrong_secrets_wait_alone()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-hundred", adjust: s => s["Bridge:FailedLoginDelay"] = "00:00:05");
        var mailbox = Maildir.UniqueAddress("shared");
        await bridge.ConsentAsync(mailbox);
        var secrets = new List<string>();
        for (var i = 0; i < 100; i++) secrets.Add(await bridge.AddAppAsync($"app-{i:D3}", mailbox));
        var finished = new ConcurrentQueue<(bool Accepted, long At)>();

        var logins = Enumerable.Range(0, 110).Select(i => Task.Run(async () =>
        {
            using var client = await ConnectAsync(bridge);
            var secret = i < 100 ? secrets[i] : "tbc_nope_" + new string('x', 43);
            try
            {
                await client.AuthenticateAsync(mailbox, secret, Ct);
                finished.Enqueue((true, Stopwatch.GetTimestamp()));
                await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly, Ct);
                await client.DisconnectAsync(true, Ct);
            }
            catch (AuthenticationException)
            {
                finished.Enqueue((false, Stopwatch.GetTimestamp()));
            }
        }, Ct)).ToList();
        await Task.WhenAll(logins);

        Assert.Equal(100, finished.Count(f => f.Accepted));
        Assert.Equal(10, finished.Count(f => !f.Accepted));
        // The ten wrong secrets waited out their delay; none of the hundred right ones waited for them.
        Assert.True(finished.Where(f => f.Accepted).Max(f => f.At) < finished.Where(f => !f.Accepted).Min(f => f.At),
            "an accepted login finished only after a wrong secret's delay had passed");
        Assert.Equal(100, bridge.Activity.Snapshot().Where(c => c.Mailbox == mailbox).Sum(c => c.Sessions));
    }

    [Fact]
    public async Task A_logged_in_session_keeps_getting_answers_while_others_log_in()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-no-stall", adjust: s => s["Bridge:FailedLoginDelay"] = "00:00:03");
        var mailbox = Maildir.UniqueAddress("busy");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("steady", mailbox);
        using var steady = await ConnectAsync(bridge);
        await steady.AuthenticateAsync(mailbox, secret, Ct);

        var answeredDuringStorm = await LoginStorm.CountAnswersDuringAsync(steady, () => ConnectAsync(bridge), mailbox, secret, Ct);

        // Thirty of the logins wait three seconds on a wrong secret: a session served in turn would get no answer meanwhile.
        Assert.True(answeredDuringStorm >= 10, $"only {answeredDuringStorm} NOOPs were answered while the others logged in");
        await steady.DisconnectAsync(true, Ct);
    }
}
