using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Jobs.Events;
using TokenBroker.Queues;
using TokenBroker.Bridge;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>
/// The bridge on the apps' machine with the broker elsewhere: tokens come from the broker's token endpoint (POST with
/// the bridge's own credential and the app's secret), and the broker decides whether the app may use the mailbox.
/// </summary>
public sealed class RemoteBrokerBridgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_bridge_using_a_remote_broker_sends_and_reads_mail_for_an_app_with_the_bridge_right()
    {
        await using var broker = await RunningBridge.StartAsync("bridge-remote");
        var mailbox = Maildir.UniqueAddress("app");
        await broker.ConsentAsync(mailbox);
        var appSecret = await broker.AddAppAsync("freescout", mailbox);
        using var remote = await broker.StartRemoteAsync(await broker.AddAppAsync("branch-office-bridge", mailbox, "token"));
        var service = remote.Services.GetRequiredService<BridgeService>();
        var messageId = $"<remote.{Guid.NewGuid():N}@branch.test>";

        var sent = await PythonMailClient.RunAsync("smtp-send", service.EndpointOf(MailProtocol.Smtp).Port, "starttls", mailbox, appSecret, "login", mailbox, mailbox, "Remote", messageId);
        Assert.True(sent.Ok(), sent.Error());
        await Maildir.For(mailbox).WaitForMessagesAsync(1, cancellationToken: Ct);
        var read = await PythonMailClient.RunAsync("imap-fetch", service.EndpointOf(MailProtocol.Imap).Port, "starttls", mailbox, appSecret, "login", "Remote");

        Assert.True(read.Ok(), read.Error());
        Assert.Equal(messageId, Assert.Single(read.GetProperty("messages").EnumerateArray()).GetProperty("message_id").GetString());
        var counters = remote.Services.GetRequiredService<BridgeActivity>().Snapshot();
        Assert.Contains(counters, c => c is { App: "freescout", Protocol: "smtp", Sessions: 1, Messages: 1 } && c.Mailbox == mailbox);
        Assert.Contains(counters, c => c is { App: "freescout", Protocol: "imap", Sessions: 1 } && c.Mailbox == mailbox);
        await remote.StopAsync(Ct);
    }

    [Fact]
    public async Task A_remote_broker_refuses_an_app_secret_without_the_bridge_right_and_the_app_sees_a_wrong_password()
    {
        await using var broker = await RunningBridge.StartAsync("bridge-remote-refusal");
        var mailbox = Maildir.UniqueAddress("app");
        await broker.ConsentAsync(mailbox);
        var tokenOnly = await broker.AddAppAsync("reporting", mailbox, "token,send");
        using var remote = await broker.StartRemoteAsync(await broker.AddAppAsync("branch-office-bridge", mailbox, "token"));
        var imap = remote.Services.GetRequiredService<BridgeService>().EndpointOf(MailProtocol.Imap).Port;

        var refused = await PythonMailClient.RunAsync("imap-login", imap, "starttls", mailbox, tokenOnly, "login");

        Assert.False(refused.Ok());
        Assert.Contains("[AUTHENTICATIONFAILED] Authentication failed.", refused.Error(), StringComparison.Ordinal);
        await remote.StopAsync(Ct);
    }

    [Fact]
    public async Task A_remote_bridge_reports_its_counters_to_the_brokers_status_under_its_clients_name()
    {
        await using var broker = await RunningBridge.StartAsync("bridge-remote-report");
        var mailbox = Maildir.UniqueAddress("app");
        await broker.ConsentAsync(mailbox);
        var appSecret = await broker.AddAppAsync("scanner", mailbox);
        using var remote = await broker.StartRemoteAsync(await broker.AddAppAsync("branch-office-bridge", mailbox, "token"));
        var smtp = remote.Services.GetRequiredService<BridgeService>().EndpointOf(MailProtocol.Smtp).Port;
        var sent = await PythonMailClient.RunAsync("smtp-send", smtp, "starttls", mailbox, appSecret, "login", mailbox, Maildir.UniqueAddress("rcpt"), "Scan", $"<scan.{Guid.NewGuid():N}@branch.test>");
        Assert.True(sent.Ok(), sent.Error());

        await remote.StopAsync(Ct); // a stopping bridge sends its last counters
        using var response = await broker.Broker.Client.GetAsync("/api/status", Ct);

        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var report = Assert.Single(status.GetProperty("remoteBridges").EnumerateArray());
        Assert.Equal("branch-office-bridge", report.GetProperty("name").GetString());
        var counter = Assert.Single(report.GetProperty("counters").EnumerateArray());
        Assert.Equal(("scanner", mailbox, "smtp", 1, 1), (counter.GetProperty("app").GetString(), counter.GetProperty("mailbox").GetString(),
            counter.GetProperty("protocol").GetString(), counter.GetProperty("sessions").GetInt32(), counter.GetProperty("messages").GetInt32()));
    }

    [Fact]
    public async Task A_mailbox_needing_consent_behind_a_remote_bridge_is_refused_naming_the_reason_and_the_broker_raises_the_event()
    {
        await using var broker = await RunningBridge.StartAsync("bridge-remote-consent");
        var identity = new IdentityPeer(broker.ClientId);
        await identity.SetTokenLifetimeAsync(120); // always within the refresh margin: each login asks the identity server
        var mailbox = Maildir.UniqueAddress("app");
        await broker.ConsentAsync(mailbox);
        var appSecret = await broker.AddAppAsync("freescout", mailbox);
        using var remote = await broker.StartRemoteAsync(await broker.AddAppAsync("branch-office-bridge", mailbox, "token"));
        var imap = remote.Services.GetRequiredService<BridgeService>().EndpointOf(MailProtocol.Imap).Port;
        await identity.FailNextTokenCallAsync("refresh_token", "invalid_grant", errorCode: 50173, count: 10);

        var refused = await PythonMailClient.RunAsync("imap-login", imap, "starttls", mailbox, appSecret, "login");

        Assert.False(refused.Ok());
        Assert.Contains($"[AUTHENTICATIONFAILED] TokenBroker has no valid token for {mailbox}: the mailbox needs consent", refused.Error(), StringComparison.Ordinal);
        var events = await broker.Broker.Services.GetRequiredService<IQueueTransport>().ReceiveAsync("broker-events", 32, TimeSpan.FromMinutes(1), Ct);
        var refusedEvent = events.Select(e => BrokerEvent.Parse(e.Text)).Single(e => e.Type == BrokerEvent.BridgeLoginRefusedType);
        Assert.Equal((mailbox, "freescout", "imap"), (refusedEvent.Mailbox, refusedEvent.App, refusedEvent.Protocol));
        Assert.Contains("revoked the sessions", refusedEvent.Reason, StringComparison.Ordinal);
        await remote.StopAsync(Ct);
    }

    [Fact]
    public async Task A_login_to_a_mailbox_outside_the_bridges_scope_is_counted_for_an_unknown_app_and_the_report_still_reaches_the_broker()
    {
        await using var broker = await RunningBridge.StartAsync("bridge-remote-stray");
        var served = Maildir.UniqueAddress("app");
        var elsewhere = Maildir.UniqueAddress("other");
        var appSecret = await broker.AddAppAsync("roaming-app", elsewhere);
        using var remote = await broker.StartRemoteAsync(await broker.AddAppAsync("branch-office-bridge", served, "token"));
        var imap = remote.Services.GetRequiredService<BridgeService>().EndpointOf(MailProtocol.Imap).Port;

        var refused = await PythonMailClient.RunAsync("imap-login", imap, "starttls", elsewhere, appSecret, "login");
        await remote.StopAsync(Ct);
        using var response = await broker.Broker.Client.GetAsync("/api/status", Ct);

        Assert.False(refused.Ok());
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var counter = Assert.Single(Assert.Single(status.GetProperty("remoteBridges").EnumerateArray()).GetProperty("counters").EnumerateArray());
        Assert.Equal(("(unknown)", "(any)", "imap"), (counter.GetProperty("app").GetString(), counter.GetProperty("mailbox").GetString(), counter.GetProperty("protocol").GetString()));
        Assert.True(counter.GetProperty("refusals").GetInt32() >= 1);
    }
}
