using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Functions;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The real broker (standalone, SQLite queue) sending through Dovecot submission when a mailbox's day is spent: the
/// request waits on the queue, hidden until the day frees up, instead of being retried into the poison queue.
/// </summary>
public sealed class SendLimitEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_over_the_mailboxs_daily_recipients_waits_hidden_on_the_queue_and_is_never_poisoned()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("e2e-day-spent");
        // Without the wait, two quick retries would poison the request within a second.
        settings["Queues:MaxDequeueCount"] = "2";
        settings["Queues:VisibilityTimeout"] = "00:00:00";
        settings["Mail:Governor:RecipientsPerDay"] = "1";
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var mailbox = Maildir.UniqueAddress("sender");
        var recipient = Maildir.UniqueAddress("rcpt");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mailbox, Ct);

        foreach (var id in new[] { "first", "second" })
        {
            var request = MailJobsHarness.SendRequest(mailbox, recipient, id).ToJsonString();
            using var response = await broker.Client.PostAsync("/api/mail", new StringContent(request, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Single(await Maildir.For(recipient).WaitForMessagesAsync(1, TimeSpan.FromSeconds(60), Ct));
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await QueueDepth.WaitForAsync(transport, MailWorkerFunction.QueueName, 1, TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // many listener polls: the old retries would have poisoned it by now

        Assert.Equal(0, await transport.GetApproximateCountAsync(MailWorkerFunction.PoisonQueueName, Ct));
        Assert.Equal(1, await transport.GetApproximateCountAsync(MailWorkerFunction.QueueName, Ct));
        Assert.Empty(await transport.PeekAsync(MailWorkerFunction.QueueName, 32, Ct)); // hidden until the day frees up
        var events = (await transport.ReceiveAsync(MailWorkerFunction.EventsQueueName, 32, TimeSpan.FromMinutes(5), Ct))
            .Select(m => JsonDocument.Parse(m.Text).RootElement.GetProperty("type").GetString()).ToList();
        Assert.DoesNotContain("mail.failed", events);
        Assert.Single(events, type => type == "mail.sent");
        Assert.Single(await Maildir.For(recipient).WaitForMessagesAsync(1, TimeSpan.FromSeconds(1), Ct));
    }
}
