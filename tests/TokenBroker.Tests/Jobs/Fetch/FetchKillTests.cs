using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Fetch.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

/// <summary>kill -9 of the broker process in the middle of a fetch into a webhook, then a restart.</summary>
[Collection(TokenBroker.Tests.Jobs.Support.AzuriteMailRequests.Name)]
public sealed class FetchKillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Fewer messages on Azurite: each delivered message saves a checkpoint blob, and Azurite's requests are far slower than SQLite's.
    [Theory]
    [InlineData("sqlite", 300)]
    [InlineData("azure", 100)]
    public async Task Killing_the_broker_mid_fetch_and_restarting_it_loses_and_duplicates_nothing_by_delivery_id(string queues, int messageCount)
    {
        var port = MailBrokerPeers.FreePort();
        var data = Directory.CreateTempSubdirectory("tokenbroker-crash-fetch-").FullName;
        var settings = MailBrokerPeers.Settings(port, data, Guid.NewGuid().ToString());
        settings["Mail:Imap"] = FetchHarness.Imaps.ToString();
        settings["Mail:Pop3"] = FetchHarness.Pop3s.ToString();
        MailBrokerPeers.UseQueues(settings, queues);
        var mailbox = Maildir.UniqueAddress("fetchkill");
        // A receiver slow enough that the kill lands in the middle of the fetch.
        using var receiver = new WebhookReceiver { OnReceived = _ => Task.Delay(15) };
        foreach (var (key, value) in FetchHarness.WebhookSinkSettings(receiver.Url)) settings[key] = value;

        // The mailbox is consented through the broker (identity server sign-in), then the request queued.
        await using (var setup = await RunningBroker.StartAsync(HostingMode.Standalone, ConsentTable(),
                         services => MailBrokerPeers.AddOAuth(services, settings), settings, data))
        {
            await MailBrokerPeers.ConsentAsync(setup.Client.BaseAddress!, mailbox, Ct, protocols: "imap");
            await using (var seed = await FetchHarness.CreateAsync(Directory.CreateTempSubdirectory("tokenbroker-seed-").FullName, mailbox))
                await seed.AppendAsync("INBOX", messageCount);
            var transport = setup.Services.GetRequiredService<IQueueTransport>();
            await transport.CreateIfNotExistsAsync("mail-requests", Ct);
            var request = new System.Text.Json.Nodes.JsonObject
            {
                ["version"] = 1, ["kind"] = "fetch", ["id"] = "fetch-kill", ["mailbox"] = mailbox, ["protocol"] = "imap", ["folder"] = "INBOX",
                ["maxMessages"] = messageCount, ["afterFetch"] = "none",
                ["sink"] = new System.Text.Json.Nodes.JsonObject { ["name"] = FetchHarness.WebhookSink },
            };
            await transport.SendAsync("mail-requests", request.ToJsonString(), cancellationToken: Ct);
        }

        var arguments = settings.Select(s => $"--{s.Key}={s.Value}").Concat(
        [
            "--TestHost:Table=product",
            $"--TestHost:IdentityCaFile={PeersEnvironment.Get("PEERS_CA_FILE")}",
            "--Queues:MessageLease=00:00:05",
            "--Logging:LogLevel:Default=Warning",
        ]).ToArray();
        using (var first = TestHostProcess.Start(arguments))
        {
            await first.WaitUntilAsync(() => receiver.Accepted.Count >= messageCount / 3, TimeSpan.FromMinutes(2), Ct);
            first.Kill(); // SIGKILL: no shutdown code runs
            await first.WaitForExitAsync(Ct);
        }
        var acceptedBeforeKill = receiver.AcceptedPerDeliveryId.Count;
        using (var second = TestHostProcess.Start(arguments))
        {
            await second.WaitUntilAsync(() => receiver.AcceptedPerDeliveryId.Count >= messageCount, TimeSpan.FromMinutes(3), Ct);
            await Task.Delay(TimeSpan.FromSeconds(8), Ct); // past the lease: a redelivered request would have posted again by now
            second.Kill();
            await second.WaitForExitAsync(Ct);
        }

        Assert.InRange(acceptedBeforeKill, 1, messageCount - 1); // killed mid-fetch
        var subjects = receiver.Accepted.GroupBy(d => d.DeliveryId).Select(g => WebhookFetchTests.Subject(g.First().Text)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, messageCount).Select(i => $"Message {i}").Order(), subjects);
        // Re-posts (the message in flight at the kill, and one per request redelivered past its 5 s lease while the first
        // run was still going, which then stops on the checkpoint conflict) carry the same delivery id: the receiver absorbs them.
        Assert.All(receiver.Accepted.GroupBy(d => d.DeliveryId), g => Assert.Single(g.Select(d => Convert.ToHexString(d.Body)).Distinct()));
        TestContext.Current.TestOutputHelper?.WriteLine($"{receiver.Accepted.Count} posts for {messageCount} messages; {acceptedBeforeKill} accepted before the kill.");
        Assert.All(receiver.Accepted, d => Assert.True(d.SignatureIsValidFor(FetchHarness.Secret)));
    }

    /// <summary>The product's HTTP functions only: the consent is set up before any queue is worked.</summary>
    private static FunctionCatalog ConsentTable() => new(BrokerFunctions.Catalog.Http);
}
