using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Functions;
using TokenBroker.Testing;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Telemetry;

/// <summary>The mail worker counts its requests by kind and outcome, and how long they waited in the queue.</summary>
public sealed class MailMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_that_is_not_json_counts_as_one_failed_request_of_unknown_kind()
    {
        await using var harness = MailJobsHarness.Create();
        using var metrics = new MetricRecorder(harness.Services);

        await harness.RunAsync("not json", Ct);

        Assert.Equal(1, metrics.Sum("tokenbroker.mail.requests", ("kind", "unknown"), ("outcome", "failed")));
    }

    [Fact]
    public async Task A_send_from_an_unregistered_mailbox_counts_as_one_failed_send()
    {
        await using var harness = MailJobsHarness.Create();
        using var metrics = new MetricRecorder(harness.Services);

        await harness.RunAsync(MailJobsHarness.SendRequest(Maildir.UniqueAddress("nobody"), Maildir.UniqueAddress()).ToJsonString(), Ct);

        Assert.Equal(1, metrics.Sum("tokenbroker.mail.requests", ("kind", "send"), ("outcome", "failed")));
    }

    [Fact]
    public async Task The_mail_worker_function_records_how_long_its_message_waited_in_the_queue()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        await using var harness = MailJobsHarness.Create(timeProvider: clock);
        using var metrics = new MetricRecorder(harness.Services);
        await using var scope = harness.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<MailWorkerFunction>(scope.ServiceProvider);

        await function.RunAsync("not json", clock.GetUtcNow().AddSeconds(-42), Ct);

        var waited = Assert.Single(metrics.Measurements("tokenbroker.queue.wait", ("queue", MailWorkerFunction.QueueName)));
        Assert.Equal(42, waited.Value);
    }
}
