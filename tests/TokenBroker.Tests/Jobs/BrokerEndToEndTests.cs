using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Ledger;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Fetch;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs;

/// <summary>
/// The whole product chain in one running broker (standalone, the product's functions, embedded store; queues and ledger
/// on SQLite, or on Azure Storage through Azurite),
/// against the identity server, Dovecot and Postfix: consent → the refresh timer replaces the token → 200 sends via
/// /api/mail arrive once each → fetch requests deliver every message once to a webhook (IMAP) and a Maildir sink
/// (POP3), and a later fetch delivers only the new ones.
/// </summary>
[Collection(TokenBroker.Tests.Jobs.Support.AzuriteMailRequests.Name)]
public sealed class BrokerEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Azurite (node) answers a few hundred requests a second at best, and each send costs several (queue, ledger blobs,
    // events): the Azure run sends fewer messages so that it stays well inside its time limits on a loaded machine.
    [Theory]
    [InlineData("sqlite", 200)]
    [InlineData("azure", 50)]
    public async Task Consent_refresh_send_and_fetch_deliver_every_message_exactly_once(string queues, int count)
    {
        var (settings, data) = MailBrokerPeers.NewBroker("e2e-chain");
        MailBrokerPeers.UseQueues(settings, queues);
        settings["Mail:Pop3"] = FetchHarness.Pop3s.ToString();
        using var webhook = new WebhookReceiver();
        var sink = Directory.CreateTempSubdirectory("tokenbroker-e2e-sink-").FullName;
        foreach (var (key, value) in FetchHarness.WebhookSinkSettings(webhook.Url)) settings[key] = value;
        settings[$"Sinks:Maildirs:{FetchHarness.MaildirSink}:Root"] = sink;
        // A keep-alive interval of one second: each timer run redeems the refresh token, and the test sees it happen.
        settings["RefreshSchedule"] = "*/2 * * * * *";
        settings["Refresh:Interval"] = "00:00:01";
        settings["Refresh:Spread"] = "00:00:00";
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var mailbox = Maildir.UniqueAddress("chain");

        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mailbox, Ct, protocols: "smtp,imap,pop3");
        var consented = await TokenFingerprintAsync(broker, mailbox);
        var refreshed = await WaitForAsync(async () => await TokenFingerprintAsync(broker, mailbox) is var now && now != consented ? now : null, TimeSpan.FromSeconds(30));
        Assert.NotEqual(consented, refreshed);
        Assert.Equal(MailboxState.Connected, (await broker.Services.GetRequiredService<IMailboxRegistry>().GetAsync(mailbox, Ct))!.Value.State);

        var firstIds = await SendToSelfAsync(broker, mailbox, Enumerable.Range(0, count).Select(i => $"chain-{i:D3}"));
        await Maildir.For(mailbox).WaitForMessagesAsync(count, TimeSpan.FromMinutes(3), Ct);
        await FetchAsync(broker, mailbox, "round-1");
        await WaitForAsync(() => Task.FromResult(webhook.AcceptedPerDeliveryId.Count >= count && SinkMessageIds(sink).Count >= count ? "" : null), TimeSpan.FromMinutes(2));

        var laterIds = await SendToSelfAsync(broker, mailbox, Enumerable.Range(0, 5).Select(i => $"later-{i}"));
        await Maildir.For(mailbox).WaitForMessagesAsync(count + 5, TimeSpan.FromMinutes(1), Ct);
        await FetchAsync(broker, mailbox, "round-2");
        await WaitForAsync(() => Task.FromResult(webhook.AcceptedPerDeliveryId.Count >= count + 5 && SinkMessageIds(sink).Count >= count + 5 ? "" : null), TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(2), Ct); // a wrong extra delivery or post would have arrived by now

        var expected = firstIds.Concat(laterIds).Order().ToList();
        Assert.Equal(expected, MailBrokerPeers.MessageIds(Maildir.For(mailbox)).Order().ToList());
        Assert.Equal(expected, WebhookMessageIds(webhook).Order().ToList());
        Assert.Equal(expected, SinkMessageIds(sink).Order().ToList());
        Assert.All(webhook.Accepted, delivery => Assert.True(delivery.SignatureIsValidFor(FetchHarness.Secret)));
    }

    private static async Task<List<string>> SendToSelfAsync(RunningBroker broker, string mailbox, IEnumerable<string> ids)
    {
        var messageIds = new List<string>();
        foreach (var id in ids)
        {
            using var response = await broker.Client.PostAsync("/api/mail", Json(MailJobsHarness.SendRequest(mailbox, mailbox, id)), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            messageIds.Add(MessageIds.For(mailbox, id, "tokenbroker.test"));
        }
        return messageIds;
    }

    private static async Task FetchAsync(RunningBroker broker, string mailbox, string round)
    {
        JsonObject Request(string protocol, JsonObject target) => new()
        {
            ["version"] = 1, ["kind"] = "fetch", ["id"] = $"{round}-{protocol}", ["mailbox"] = mailbox, ["protocol"] = protocol,
            ["maxMessages"] = 1000, ["sink"] = target,
        };
        using var imap = await broker.Client.PostAsync("/api/mail", Json(Request("imap", new JsonObject { ["name"] = FetchHarness.WebhookSink })), Ct);
        Assert.Equal(HttpStatusCode.Accepted, imap.StatusCode);
        using var pop3 = await broker.Client.PostAsync("/api/mail", Json(Request("pop3", new JsonObject { ["name"] = FetchHarness.MaildirSink })), Ct);
        Assert.Equal(HttpStatusCode.Accepted, pop3.StatusCode);
    }

    private static async Task<string> TokenFingerprintAsync(RunningBroker broker, string mailbox)
    {
        var token = await broker.Services.GetRequiredService<IMailboxTokenProvider>().GetAccessTokenAsync(mailbox, Ct);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token.AccessToken)));
    }

    private static List<string> WebhookMessageIds(WebhookReceiver webhook) =>
        webhook.Accepted.GroupBy(d => d.DeliveryId).Select(g => MessageIdOf(g.First().Text)).ToList();

    private static List<string> SinkMessageIds(string sink) =>
        Directory.GetFiles(Path.Combine(sink, "new")).Select(file => MessageIdOf(File.ReadAllText(file))).ToList();

    // Headers may be folded (the Message-ID on its own continuation line): unfold before looking.
    private static string MessageIdOf(string message) =>
        message.Replace("\r\n ", " ").Replace("\r\n\t", " ").Split('\n').First(line => line.StartsWith("Message-ID: ", StringComparison.OrdinalIgnoreCase))["Message-ID: ".Length..].Trim();

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<string> WaitForAsync(Func<Task<string?>> probe, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not reached within {timeout}.");
            await Task.Delay(200, Ct);
        }
    }
}
