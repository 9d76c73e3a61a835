using TokenBroker.Functions;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Mail;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The real broker (standalone, SQLite queue) sending through Dovecot submission → Postfix, which refuses
/// "reject-5xx-*" (550 5.1.1) and "defer-4xx-*" (450 4.2.0): what ends up on the queues, and how often Postfix was asked
/// (its log has one "reject: RCPT" line per attempt).
/// </summary>
public sealed class SmtpRefusalEndToEndTests
{
    private const int MaxDequeueCount = 3;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_5xx_request_is_tried_once_and_poisoned_a_4xx_request_is_retried_by_the_queue_and_good_requests_still_arrive()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("e2e-refusal");
        settings["Queues:MaxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Queues:VisibilityTimeout"] = "00:00:00";
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var mailbox = Maildir.UniqueAddress("sender");
        var recipient = Maildir.UniqueAddress("rcpt");
        var refused = Maildir.UniqueAddress("reject-5xx");
        var deferred = Maildir.UniqueAddress("defer-4xx");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mailbox, Ct);
        var requests = new[]
        {
            MailJobsHarness.SendRequest(mailbox, refused, "refused-1").ToJsonString(),
            MailJobsHarness.SendRequest(mailbox, recipient, "good-1").ToJsonString(),
            MailJobsHarness.SendRequest(mailbox, deferred, "deferred-1").ToJsonString(),
            MailJobsHarness.SendRequest(mailbox, recipient, "good-2").ToJsonString(),
        };

        foreach (var request in requests)
        {
            using var response = await broker.Client.PostAsync("/api/mail", new StringContent(request, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        Assert.Equal(2, (await Maildir.For(recipient).WaitForMessagesAsync(2, TimeSpan.FromSeconds(60), Ct)).Count);
        // The 4xx request is poisoned by the listener only after its last attempt; the 5xx one by the worker at once.
        await QueueDepth.WaitForAsync(transport, MailWorkerFunction.PoisonQueueName, 2, TimeSpan.FromSeconds(60));
        await QueueDepth.WaitForAsync(transport, MailWorkerFunction.QueueName, 0, TimeSpan.FromSeconds(30));

        Assert.Equal(1, await PostfixRefusalsAsync(refused, 1));
        Assert.Equal(MaxDequeueCount, await PostfixRefusalsAsync(deferred, MaxDequeueCount));
        var poisoned = await transport.ReceiveAsync(MailWorkerFunction.PoisonQueueName, 32, TimeSpan.FromMinutes(5), Ct);
        Assert.Equal(new[] { requests[0], requests[2] }.Order(), poisoned.Select(m => m.Text).Order());
        var events = (await transport.ReceiveAsync(MailWorkerFunction.EventsQueueName, 32, TimeSpan.FromMinutes(5), Ct))
            .Select(m => JsonDocument.Parse(m.Text).RootElement).ToList();
        var failed = Assert.Single(events, e => e.GetProperty("type").GetString() == "mail.failed");
        Assert.Equal("refused-1", failed.GetProperty("requestId").GetString());
        // Dovecot submission passes Postfix's reply on, putting the recipient in front: "550 5.1.1 <rcpt> <rcpt>: Recipient …".
        var reason = failed.GetProperty("reason").GetString();
        Assert.Contains($"(RCPT TO): 550 5.1.1 <{refused}>", reason);
        Assert.Contains($"<{refused}>: Recipient address rejected: This test mailbox refuses all mail", reason);
        Assert.Equal(["good-1", "good-2"], events.Where(e => e.GetProperty("type").GetString() == "mail.sent").Select(e => e.GetProperty("requestId").GetString()).Order());
    }

    /// <summary>
    /// How many times Postfix refused <paramref name="address"/> at RCPT TO (one log line each). Postfix writes its log
    /// through a separate process, so this waits (bounded) for <paramref name="expected"/> lines, then counts once more.
    /// </summary>
    private static async Task<int> PostfixRefusalsAsync(string address, int expected)
    {
        int Count() => File.ReadLines(PeersEnvironment.Get("POSTFIX_LOG"))
            .Count(line => line.Contains("reject: RCPT", StringComparison.Ordinal) && line.Contains($"<{address}>:", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Count() < expected && DateTime.UtcNow < deadline)
            await Task.Delay(50, Ct);
        await Task.Delay(200, Ct); // an extra attempt would be logged by now
        return Count();
    }
}
