using TokenBroker.Queues;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Queues;

public sealed class SqliteQueueTransportTests : QueueTransportSpecification
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tb-queue-").FullName;
    private readonly ManualTimeProvider _clock = new();

    private string DatabasePath => Path.Combine(_directory, "queues.db");

    protected override TimeSpan Lease => TimeSpan.FromSeconds(30);

    protected override IQueueTransport CreateTransport() => Open();

    protected override Task LetTimePassAsync(TimeSpan duration)
    {
        _clock.Advance(duration + TimeSpan.FromMilliseconds(1));
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private SqliteQueueTransport Open(SqliteQueueOptions? options = null)
    {
        var transport = new SqliteQueueTransport(options ?? new SqliteQueueOptions { DatabasePath = DatabasePath }, _clock);
        return transport;
    }

    [Fact]
    public async Task Messages_survive_closing_and_reopening_the_database()
    {
        await using (var writer = Open())
        {
            await writer.SendAsync(Queue, "durable", cancellationToken: Ct);
        }

        await using var reader = Open();
        Assert.Equal("durable", Assert.Single(await reader.ReceiveAsync(Queue, 1, Lease, Ct)).Text);
    }

    [Fact]
    public async Task A_lease_survives_reopening_and_expires_on_schedule()
    {
        await using (var consumer = Open())
        {
            await consumer.SendAsync(Queue, "leased", cancellationToken: Ct);
            Assert.Single(await consumer.ReceiveAsync(Queue, 1, Lease, Ct));
        }

        await using var restarted = Open();
        Assert.Empty(await restarted.ReceiveAsync(Queue, 1, Lease, Ct));
        _clock.Advance(Lease);
        Assert.Equal(2, Assert.Single(await restarted.ReceiveAsync(Queue, 1, Lease, Ct)).DequeueCount);
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        await using (Open()) { }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_receivers_on_two_transports_get_each_message_exactly_once()
    {
        const int messageCount = 600;
        await using var first = Open();
        await using var second = Open();
        for (var i = 0; i < messageCount; i++) await first.SendAsync(Queue, $"message {i}", cancellationToken: Ct);

        var seen = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task ConsumeAsync(SqliteQueueTransport transport)
        {
            while (true)
            {
                var batch = await transport.ReceiveAsync(Queue, 16, TimeSpan.FromHours(1), Ct);
                if (batch.Count == 0) return;
                foreach (var message in batch)
                {
                    seen.Add(message.Text);
                    await transport.DeleteAsync(Queue, message, Ct);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => ConsumeAsync(i % 2 == 0 ? first : second), Ct)));

        Assert.Equal(messageCount, seen.Count);
        Assert.Equal(Enumerable.Range(0, messageCount).Select(i => $"message {i}").Order(), seen.Order());
        Assert.Equal(0, await first.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task Concurrent_sends_and_deletes_on_one_transport_all_take_effect()
    {
        const int messageCount = 500;
        await using var transport = Open();

        await Task.WhenAll(Enumerable.Range(0, messageCount).Select(i => Task.Run(() => transport.SendAsync(Queue, $"m{i}", cancellationToken: Ct), Ct)));
        Assert.Equal(messageCount, await transport.GetApproximateCountAsync(Queue, Ct));
        var received = new List<ReceivedQueueMessage>();
        while (await transport.ReceiveAsync(Queue, 32, Lease, Ct) is { Count: > 0 } batch) received.AddRange(batch);
        await Task.WhenAll(received.Select(m => Task.Run(() => transport.DeleteAsync(Queue, m, Ct), Ct)));

        Assert.Equal(Enumerable.Range(0, messageCount).Select(i => $"m{i}").Order(), received.Select(m => m.Text).Order());
        Assert.Equal(0, await transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task A_stale_delete_committed_with_others_fails_alone()
    {
        await using var transport = Open();
        for (var i = 0; i < 20; i++) await transport.SendAsync(Queue, $"m{i}", cancellationToken: Ct);
        var batch = await transport.ReceiveAsync(Queue, 20, Lease, Ct);
        var stale = batch[0] with { PopReceipt = "stale" };

        var deletes = batch.Skip(1).Select(m => Task.Run(() => transport.DeleteAsync(Queue, m, Ct), Ct)).Append(transport.DeleteAsync(Queue, stale, Ct)).ToList();
        await Assert.ThrowsAsync<QueueLeaseLostException>(() => deletes[^1]);
        await Task.WhenAll(deletes.Take(deletes.Count - 1));

        Assert.Equal(1, await transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task An_operation_after_dispose_throws_object_disposed()
    {
        var transport = Open();
        await transport.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => transport.SendAsync(Queue, "late", cancellationToken: Ct));
    }

    [Fact]
    public async Task An_expired_message_is_not_delivered()
    {
        await using var transport = Open(new SqliteQueueOptions { DatabasePath = DatabasePath, MessageTimeToLive = TimeSpan.FromHours(1) });
        await transport.SendAsync(Queue, "short-lived", cancellationToken: Ct);

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await transport.ReceiveAsync(Queue, 1, Lease, Ct));
        Assert.Equal(0, await transport.GetApproximateCountAsync(Queue, Ct));
    }

    [Fact]
    public async Task Messages_expire_after_seven_days_by_default()
    {
        await using var transport = Open();
        await transport.SendAsync(Queue, "a week", cancellationToken: Ct);

        _clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, await transport.GetApproximateCountAsync(Queue, Ct));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(await transport.ReceiveAsync(Queue, 1, Lease, Ct));
    }

    [Fact]
    public async Task Expired_messages_are_purged_from_the_file()
    {
        await using var transport = Open(new SqliteQueueOptions { DatabasePath = DatabasePath, MessageTimeToLive = TimeSpan.FromHours(1) });
        await transport.SendAsync(Queue, "purge me", cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromHours(2));

        await transport.ReceiveAsync(Queue, 1, Lease, Ct);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM queue_messages";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync(Ct))!);
    }

    [Fact]
    public async Task A_database_path_that_cannot_be_opened_names_the_setting()
    {
        var blocker = Path.Combine(_directory, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory", Ct);

        var error = Assert.Throws<InvalidOperationException>(() => Open(new SqliteQueueOptions { DatabasePath = Path.Combine(blocker, "queues.db") }));

        Assert.Contains("Queues:Sqlite:DatabasePath", error.Message);
    }
}
