using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.OAuth.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>
/// The standalone listener renews a message's lease while its handler runs (SQLite queue, manual clock): a handler that
/// outlives the lease is not handed to a second consumer, and its message is deleted once it succeeds.
/// </summary>
public sealed class QueueLeaseRenewalTests : IAsyncDisposable
{
    private const string QueueName = "slow-items";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _clock = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("tb-lease-").FullName;
    private readonly InvocationGate _gate = new();
    private readonly CollectingLoggerProvider _logs = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _listening;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteQueueTransport Open()
    {
        var transport = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(_directory, "queues.db") }, _clock);
        _owned.Add(transport);
        return transport;
    }

    /// <summary>Puts one message on the queue and starts a listener on <paramref name="transport"/>; returns when the handler runs.</summary>
    private async Task StartHandlingOneMessageAsync(IQueueTransport transport)
    {
        await transport.CreateIfNotExistsAsync(QueueName, Ct);
        await transport.SendAsync(QueueName, "a long fetch", cancellationToken: Ct);
        var services = new ServiceCollection().AddLogging().AddSingleton(_gate).BuildServiceProvider();
        _owned.Add(services);
        var listener = new QueueListener(
            (QueueFunction)FunctionCatalog.ForTypes([typeof(GatedQueueFunction)]).Find("Slow")!,
            QueueName,
            new Dictionary<string, string>(),
            transport,
            new FunctionInvoker(services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<ILoggerFactory>()),
            new QueueHostingOptions { BatchSize = 1, MessageLease = Lease },
            _clock,
            _logs.CreateLogger("QueueListener.Slow"));
        _listening = listener.RunAsync(_stop.Token);
        await _gate.Started.Task.WaitAsync(Bound, Ct);
    }

    /// <summary>Lets the clock reach the next renewal and waits until that renewal is done (the next one is scheduled).</summary>
    private async Task PassOneRenewalIntervalAsync(TimeSpan interval)
    {
        await WaitForTimerAsync(_clock.GetUtcNow() + interval);
        _clock.Advance(interval);
        await WaitForTimerAsync(_clock.GetUtcNow() + interval);
    }

    private async Task WaitForTimerAsync(DateTimeOffset dueAt)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Bound);
        while (!_clock.PendingDueTimes.Contains(dueAt))
            await Task.Delay(5, limit.Token);
    }

    private async Task FinishAsync(IQueueTransport transport)
    {
        _gate.Finish.SetResult();
        await QueueDepth.WaitForAsync(transport, QueueName, 0, Bound);
    }

    [Fact]
    public async Task A_handler_running_twice_as_long_as_the_lease_is_not_redelivered_and_its_message_is_deleted_after_success()
    {
        var transport = Open();
        var competitor = Open();
        await StartHandlingOneMessageAsync(transport);

        for (var elapsed = TimeSpan.Zero; elapsed < 2 * Lease; elapsed += Lease / 2)
        {
            await PassOneRenewalIntervalAsync(Lease / 2);
            Assert.Empty(await competitor.ReceiveAsync(QueueName, 1, Lease, Ct));
        }
        await FinishAsync(transport);

        Assert.Equal(1, _gate.Invocations);
        _clock.Advance(2 * Lease);
        Assert.Empty(await competitor.ReceiveAsync(QueueName, 1, Lease, Ct));
        Assert.DoesNotContain(_logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_renewal_is_logged_and_retried_sooner_and_the_handler_completes_normally()
    {
        var transport = new RenewalFaults(Open()) { FailNext = 1 };
        var competitor = Open();
        await StartHandlingOneMessageAsync(transport);

        await WaitForTimerAsync(_clock.GetUtcNow() + Lease / 2);
        _clock.Advance(Lease / 2);                        // the renewal fails: a retry is due in an eighth of the lease
        await WaitForTimerAsync(_clock.GetUtcNow() + Lease / 8);
        _clock.Advance(Lease / 8);                        // the retry succeeds: the usual renewal is due in half a lease
        await WaitForTimerAsync(_clock.GetUtcNow() + Lease / 2);
        _clock.Advance(Lease / 2 - Lease / 8 + TimeSpan.FromSeconds(1)); // past the end of the first lease, before the next renewal

        Assert.Empty(await competitor.ReceiveAsync(QueueName, 1, Lease, Ct));
        Assert.Equal(2, transport.Renewals);
        Assert.Contains(_logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains("Renewing the lease of message", StringComparison.Ordinal) && line.Contains("connection refused (injected)", StringComparison.Ordinal));
        await FinishAsync(transport);
        Assert.Equal(1, _gate.Invocations);
    }

    [Fact]
    public async Task A_lost_lease_stops_the_renewals_and_is_logged()
    {
        var transport = new RenewalFaults(Open()) { FailNext = int.MaxValue, Failure = (queue, message) => new QueueLeaseLostException(queue, message.Id) };
        await StartHandlingOneMessageAsync(transport);

        await WaitForTimerAsync(_clock.GetUtcNow() + Lease / 2);
        _clock.Advance(Lease / 2);
        await WaitForLogAsync("failed for good");
        _clock.Advance(4 * Lease);

        Assert.Equal(1, transport.Renewals);
        _gate.Finish.SetResult();
    }

    [Fact]
    public async Task Renewals_stop_when_the_handler_completes()
    {
        var transport = new RenewalFaults(Open());
        await StartHandlingOneMessageAsync(transport);
        await PassOneRenewalIntervalAsync(Lease / 2);

        await FinishAsync(transport);
        _clock.Advance(4 * Lease);

        Assert.Equal(1, transport.Renewals);
    }

    private async Task WaitForLogAsync(string text)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Bound);
        while (!_logs.Lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            await Task.Delay(5, limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _gate.Finish.TrySetResult();
        await _stop.CancelAsync();
        if (_listening is not null) await _listening;
        foreach (var owned in _owned) await owned.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
