using System.Text.Json;
using Microsoft.Extensions.Hosting;
using TokenBroker.Mail.Net;
using TokenBroker.Testing;
using TokenBroker.Tests.Bridge.Support;

namespace TokenBroker.Tests.Bridge;

/// <summary>The broker's status shows what a bridge on its data folder did: sessions, messages and refusals per app and mailbox.</summary>
public sealed class BridgeStatusTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_status_lists_the_bridges_sessions_messages_and_refusals_per_app_and_mailbox()
    {
        await using var bridge = await RunningBridge.StartAsync("bridge-status");
        var mailbox = Maildir.UniqueAddress("app");
        await bridge.ConsentAsync(mailbox);
        var secret = await bridge.AddAppAsync("label-printer", mailbox);
        var sent = await PythonMailClient.RunAsync("smtp-send", bridge.Port(MailProtocol.Smtp), "starttls", mailbox, secret, "login", mailbox, Maildir.UniqueAddress("rcpt"), "Label", $"<label.{Guid.NewGuid():N}@printer.test>");
        Assert.True(sent.Ok(), sent.Error());
        var refused = await PythonMailClient.RunAsync("imap-login", bridge.Port(MailProtocol.Imap), "starttls", mailbox, secret + "x", "login");
        Assert.False(refused.Ok());

        await bridge.Host.StopAsync(Ct); // a stopping bridge writes its last counters
        using var response = await bridge.Broker.Client.GetAsync("/api/status", Ct);

        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var counters = status.GetProperty("bridge").GetProperty("counters").EnumerateArray().ToList();
        var smtp = Assert.Single(counters, c => c.GetProperty("mailbox").GetString() == mailbox);
        Assert.Equal(("label-printer", "smtp", 1, 1, 0), (smtp.GetProperty("app").GetString(), smtp.GetProperty("protocol").GetString(),
            smtp.GetProperty("sessions").GetInt32(), smtp.GetProperty("messages").GetInt32(), smtp.GetProperty("refusals").GetInt32()));
        // A wrong secret proves no name: it is counted for an unknown app, not against the mailbox it claimed.
        Assert.Contains(counters, c => c.GetProperty("app").GetString() == "(unknown)" && c.GetProperty("protocol").GetString() == "imap" && c.GetProperty("refusals").GetInt32() >= 1);
    }
}
