using TokenBroker.Tests.Jobs.Fetch.Support;

namespace TokenBroker.Tests.Jobs.Fetch;

public sealed class FetchCrashResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fetch_interrupted_after_some_messages_resumes_with_the_rest_and_none_twice()
    {
        await using var harness = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(harness.WebhookPort);
        await harness.AppendAsync("INBOX", 6);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // The worker dies while the 4th message is in flight (the receiver already has it).
        receiver.OnReceived = _ =>
        {
            if (receiver.Attempts == 4) interrupt.Cancel();
            return Task.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.RunAsync(harness.WebhookRequest(), interrupt.Token));
        receiver.OnReceived = null;
        await harness.RunAsync(harness.WebhookRequest(), Ct);

        var subjects = receiver.Accepted.GroupBy(d => d.DeliveryId).Select(g => WebhookFetchTests.Subject(g.First().Text)).Order();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"Message {i}"), subjects);
        Assert.All(receiver.AcceptedPerDeliveryId.Values, count => Assert.InRange(count, 1, 2));
        Assert.True(receiver.Accepted.Count <= 7, "at most the one message in flight is posted twice");
    }

    [Fact]
    public async Task A_restarted_broker_resumes_from_the_stored_checkpoint()
    {
        await using var first = await FetchHarness.CreateAsync();
        using var receiver = new WebhookReceiver(first.WebhookPort) { Respond = (attempt, _) => attempt == 3 ? (503, "busy") : (200, "ok") };
        await first.AppendAsync("INBOX", 4);
        await Assert.ThrowsAnyAsync<Exception>(() => first.RunAsync(first.WebhookRequest(), Ct));
        await first.Services.DisposeAsync();

        await using var restarted = await FetchHarness.CreateAsync(first.DataDirectory, first.Mailbox, webhookPort: first.WebhookPort);
        await restarted.RunAsync(restarted.WebhookRequest(), Ct);

        Assert.Equal(["Message 1", "Message 2", "Message 3", "Message 4"], receiver.Accepted.Select(d => WebhookFetchTests.Subject(d.Text)));
    }
}
