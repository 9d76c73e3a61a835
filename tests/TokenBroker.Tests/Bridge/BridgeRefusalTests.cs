using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Events;
using TokenBroker.Mail.Net;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// What an app is told when the bridge will not log it in: a wrong secret looks like a wrong password (after the delay,
/// without any connection to the mail server); a mailbox that needs consent is named with the reason, and an event says so.
/// </summary>
public sealed class BridgeRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(RunningBridge Bridge, Dictionary<MailProtocol, CountingTcpProxy> Proxies)> StartBehindProxiesAsync(string purpose)
    {
        var host = PeersEnvironment.Get("MAIL_HOST");
        var proxies = new Dictionary<MailProtocol, CountingTcpProxy>
        {
            [MailProtocol.Smtp] = new(host, PeersEnvironment.GetInt("SUBMISSION_PORT")),
            [MailProtocol.Imap] = new(host, PeersEnvironment.GetInt("IMAPS_PORT")),
            [MailProtocol.Pop3] = new(host, PeersEnvironment.GetInt("POP3S_PORT")),
        };
        var bridge = await RunningBridge.StartAsync(purpose, adjust: settings =>
        {
            settings["Bridge:Smtp:Upstream"] = $"smtp://{host}:{proxies[MailProtocol.Smtp].Port}";
            settings["Bridge:Imap:Upstream"] = $"imaps://{host}:{proxies[MailProtocol.Imap].Port}";
            settings["Bridge:Pop3:Upstream"] = $"pop3s://{host}:{proxies[MailProtocol.Pop3].Port}";
        });
        return (bridge, proxies);
    }

    private static Task<System.Text.Json.JsonElement> LogInAsync(RunningBridge bridge, MailProtocol protocol, string mailbox, string secret) => protocol switch
    {
        MailProtocol.Smtp => PythonMailClient.RunAsync("smtp-send", bridge.Port(protocol), "starttls", mailbox, secret, "login", mailbox, mailbox, "Login check", $"<check.{Guid.NewGuid():N}@test>"),
        MailProtocol.Imap => PythonMailClient.RunAsync("imap-login", bridge.Port(protocol), "starttls", mailbox, secret, "login"),
        _ => PythonMailClient.RunAsync("pop3-login", bridge.Port(protocol), "starttls", mailbox, secret, "login"),
    };

    [Theory]
    [InlineData(MailProtocol.Smtp, "535")]
    [InlineData(MailProtocol.Imap, "AUTHENTICATIONFAILED")]
    [InlineData(MailProtocol.Pop3, "[AUTH]")]
    public async Task A_wrong_secret_is_refused_after_the_delay_without_contacting_the_mail_server(MailProtocol protocol, string refusal)
    {
        var (bridge, proxies) = await StartBehindProxiesAsync("bridge-wrong-secret");
        await using var _ = bridge;
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("printer", mailbox);
        var wrong = secret[..^4] + (secret.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        var started = Stopwatch.GetTimestamp();
        var refused = await LogInAsync(bridge, protocol, mailbox, wrong);
        var took = Stopwatch.GetElapsedTime(started);

        Assert.False(refused.Ok());
        Assert.Contains(refusal, refused.Error(), StringComparison.Ordinal);
        Assert.True(took >= TimeSpan.FromSeconds(1), $"refused after {took.TotalMilliseconds:0} ms, before the configured delay");
        Assert.Equal(0, proxies[protocol].Connections);
        // The same login with the right secret does reach the server: the count above is no accident.
        Assert.True((await LogInAsync(bridge, protocol, mailbox, secret)).Ok());
        Assert.True(proxies[protocol].Connections >= 1);
        foreach (var proxy in proxies.Values) await proxy.DisposeAsync();
    }

    [Theory]
    [InlineData("token,send,fetch", "mine")]
    [InlineData("bridge", "other")]
    public async Task An_app_without_bridge_rights_on_the_mailbox_is_refused_like_a_wrong_secret(string can, string scope)
    {
        var (bridge, proxies) = await StartBehindProxiesAsync("bridge-scope");
        await using var _ = bridge;
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("ops", scope == "mine" ? mailbox : Maildir.UniqueAddress("other"), can);

        var refused = await LogInAsync(bridge, MailProtocol.Imap, mailbox, secret);

        Assert.False(refused.Ok());
        Assert.Contains("[AUTHENTICATIONFAILED] Authentication failed.", refused.Error(), StringComparison.Ordinal);
        Assert.Equal(0, proxies[MailProtocol.Imap].Connections);
        foreach (var proxy in proxies.Values) await proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(MailProtocol.Smtp, "535 5.7.8")]
    [InlineData(MailProtocol.Imap, "[AUTHENTICATIONFAILED]")]
    [InlineData(MailProtocol.Pop3, "[AUTH]")]
    public async Task A_mailbox_whose_consent_was_revoked_is_refused_naming_the_reason_with_an_event(MailProtocol protocol, string refusal)
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-consent");
        var identity = new IdentityPeer(bridge.ClientId);
        // Access tokens that are always within the refresh margin: every login asks the identity server.
        await identity.SetTokenLifetimeAsync(120);
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("freescout", mailbox);
        await identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 50173, count: 10);

        var refused = await LogInAsync(bridge, protocol, mailbox, secret);

        Assert.False(refused.Ok());
        Assert.Contains(refusal, refused.Error(), StringComparison.Ordinal);
        Assert.Contains($"{mailbox}: the mailbox needs consent", refused.Error(), StringComparison.Ordinal);
        Assert.Contains("password change or an administrator revoked the sessions", refused.Error(), StringComparison.Ordinal);
        var queue = bridge.Broker.Services.GetRequiredService<IQueueTransport>();
        var events = await queue.ReceiveAsync("broker-events", 32, TimeSpan.FromMinutes(1), Ct);
        var refusedEvent = events.Select(e => BrokerEvent.Parse(e.Text)).Single(e => e.Type == BrokerEvent.BridgeLoginRefusedType);
        Assert.Equal(mailbox, refusedEvent.Mailbox);
        Assert.Equal("freescout", refusedEvent.App);
        Assert.Contains("revoked the sessions", refusedEvent.Reason, StringComparison.Ordinal);
        var counters = Assert.Single(bridge.Activity.Snapshot(), c => c.Mailbox == mailbox);
        // smtplib's login() tries each offered mechanism (PLAIN, then LOGIN): one refusal per attempt.
        Assert.Equal(0, counters.Sessions);
        Assert.InRange(counters.Refusals, 1, 2);
    }
}
