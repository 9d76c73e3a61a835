using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Queues;
using TokenBroker.Store;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>
/// The real broker (standalone, SQLite queue, embedded store) with a mailbox consented through the identity server:
/// requests posted to /api/mail go through the queue and the worker to Dovecot submission → Postfix → Maildir.
/// </summary>
public sealed class MailDeliveryEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_hundred_requests_posted_to_the_api_arrive_in_the_maildir_exactly_once_each()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("e2e-mail");
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var mailbox = Maildir.UniqueAddress("sender");
        var recipient = Maildir.UniqueAddress("rcpt");
        await MailBrokerPeers.ConsentAsync(broker.Client.BaseAddress!, mailbox, Ct);
        Assert.Equal(MailboxState.Connected, (await broker.Services.GetRequiredService<IMailboxRegistry>().GetAsync(mailbox, Ct))!.Value.State);

        var ids = Enumerable.Range(0, 200).Select(i => $"e2e-{i:D3}").ToList();
        foreach (var id in ids)
        {
            using var response = await broker.Client.PostAsync("/api/mail",
                new StringContent(MailJobsHarness.SendRequest(mailbox, recipient, id).ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var maildir = Maildir.For(recipient);
        await maildir.WaitForMessagesAsync(200, TimeSpan.FromMinutes(3), Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // let a wrong extra delivery arrive before counting
        var delivered = MailBrokerPeers.MessageIds(maildir);
        var expected = ids.Select(id => MessageIds.For(mailbox, id, "tokenbroker.test")).Order().ToList();
        Assert.Equal(expected, delivered.Order().ToList());
        Assert.Equal(0, await broker.Services.GetRequiredService<IQueueTransport>().GetApproximateCountAsync("mail-requests-poison", Ct));
    }

    [Fact]
    public async Task The_api_refuses_an_invalid_request_with_every_problem_and_queues_nothing()
    {
        var (settings, data) = MailBrokerPeers.NewBroker("e2e-mail");
        await using var broker = await MailBrokerPeers.StartAsync(settings, data);
        var request = MailJobsHarness.SendRequest("nobody", "alice@example.com", id: "has space");

        using var response = await broker.Client.PostAsync("/api/mail", new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p!.StartsWith("The id must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p!.StartsWith("The \"from\" address \"nobody\" is not valid", StringComparison.Ordinal));
        Assert.Equal(0, await broker.Services.GetRequiredService<IQueueTransport>().GetApproximateCountAsync("mail-requests", Ct));
    }
}
