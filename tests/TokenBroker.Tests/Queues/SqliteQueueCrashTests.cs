using System.Diagnostics;
using TokenBroker.Queues;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

/// <summary>
/// A consumer process (tests/Helpers/TokenBroker.QueueCrashHelper) receives a batch, finishes part of it and is
/// killed with SIGKILL; whatever it did not delete must still be in the file and come back after its lease.
/// </summary>
public sealed class SqliteQueueCrashTests : IDisposable
{
    private const int MessageCount = 100, BatchSize = 32, DeletedBeforeKill = 10, LeaseSeconds = 300;
    private const string Queue = "crash-test";
    private readonly string _directory = Directory.CreateTempSubdirectory("tb-queue-crash-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory, "queues.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_consumer_killed_mid_batch_loses_no_message_and_its_unfinished_ones_return_after_the_lease()
    {
        await using (var producer = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = DatabasePath }))
        {
            for (var i = 0; i < MessageCount; i++) await producer.SendAsync(Queue, $"message {i}", cancellationToken: Ct);
        }

        var (leased, deleted) = await RunConsumerAndKillItAsync();

        Assert.Equal(BatchSize, leased.Count);
        Assert.Equal(DeletedBeforeKill, deleted.Count);
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var restarted = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = DatabasePath }, clock);
        Assert.Equal(MessageCount - DeletedBeforeKill, await restarted.GetApproximateCountAsync(Queue, Ct));

        var neverLeased = await DrainAsync(restarted);
        Assert.Equal(MessageCount - BatchSize, neverLeased.Count);
        Assert.Empty(neverLeased.Select(m => m.Id).Intersect(leased));

        clock.Advance(TimeSpan.FromSeconds(LeaseSeconds + 1));
        var returned = await DrainAsync(restarted);
        Assert.Equal(leased.Except(deleted).Order(), returned.Select(m => m.Id).Order());
        Assert.All(returned, m => Assert.Equal(2, m.DequeueCount));
    }

    private async Task<(IReadOnlyList<string> Leased, IReadOnlyList<string> Deleted)> RunConsumerAndKillItAsync()
    {
        var helper = Path.Combine(AppContext.BaseDirectory, "TokenBroker.QueueCrashHelper.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "exec", helper, "pause", DatabasePath, Queue, $"{BatchSize}", $"{LeaseSeconds}", $"{DeletedBeforeKill}" },
        };
        using var consumer = new Process { StartInfo = start };
        var lines = System.Threading.Channels.Channel.CreateUnbounded<string?>();
        var errors = new System.Text.StringBuilder();
        consumer.OutputDataReceived += (_, e) => lines.Writer.TryWrite(e.Data);
        consumer.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        if (!consumer.Start()) throw new InvalidOperationException($"Could not start {helper}.");
        consumer.BeginOutputReadLine();
        consumer.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var leased = new List<string>();
        var deleted = new List<string>();
        try
        {
            while (await lines.Reader.ReadAsync(timeout.Token) is { } line && line != "PAUSED")
            {
                if (line.StartsWith("RECEIVED ", StringComparison.Ordinal)) leased.AddRange(line["RECEIVED ".Length..].Split(','));
                else if (line.StartsWith("DELETED ", StringComparison.Ordinal)) deleted.Add(line["DELETED ".Length..]);
            }
            lock (errors) Assert.False(consumer.HasExited, $"The consumer exited early: {errors}");
        }
        finally
        {
            consumer.Kill(); // SIGKILL on Linux: no cleanup, no checkpoint, no graceful close
            using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await consumer.WaitForExitAsync(exitTimeout.Token);
        }
        return (leased, deleted);
    }

    [Fact]
    public async Task Consumers_in_three_processes_get_each_message_exactly_once()
    {
        const int messages = 400;
        await using var local = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = DatabasePath });
        for (var i = 0; i < messages; i++) await local.SendAsync(Queue, $"message {i}", cancellationToken: Ct);

        var others = Enumerable.Range(0, 2).Select(_ => RunDrainingConsumerAsync()).ToList();
        var mine = new List<string>();
        while (await local.ReceiveAsync(Queue, 16, TimeSpan.FromHours(1), Ct) is { Count: > 0 } batch)
        {
            foreach (var message in batch)
            {
                await local.DeleteAsync(Queue, message, Ct);
                mine.Add(message.Text);
            }
        }
        var all = mine.Concat((await Task.WhenAll(others)).SelectMany(d => d)).ToList();

        Assert.Equal(Enumerable.Range(0, messages).Select(i => $"message {i}").Order(), all.Order());
    }

    private async Task<IReadOnlyList<string>> RunDrainingConsumerAsync()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "exec", Path.Combine(AppContext.BaseDirectory, "TokenBroker.QueueCrashHelper.dll"), "drain", DatabasePath, Queue, "16", "3600" },
        };
        using var consumer = new Process { StartInfo = start };
        var deleted = new List<string>();
        var drained = false;
        consumer.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("DELETED ", StringComparison.Ordinal) == true) lock (deleted) deleted.Add(e.Data["DELETED ".Length..]);
            else if (e.Data == "DRAINED") drained = true;
        };
        consumer.Start();
        consumer.BeginOutputReadLine();
        var errors = consumer.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await consumer.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            consumer.Kill();
            throw;
        }
        consumer.WaitForExit(); // flushes the redirected output events
        Assert.True(drained && consumer.ExitCode == 0, $"The consumer failed (exit {consumer.ExitCode}): {await errors}");
        return deleted;
    }

    private static async Task<List<ReceivedQueueMessage>> DrainAsync(SqliteQueueTransport transport)
    {
        var all = new List<ReceivedQueueMessage>();
        while (await transport.ReceiveAsync(Queue, 32, TimeSpan.FromHours(1), Ct) is { Count: > 0 } batch) all.AddRange(batch);
        return all;
    }
}
