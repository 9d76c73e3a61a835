using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using TokenBroker.Queues;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Messages per second through each queue transport, the same way for both: send N messages (8 senders at
/// once), then one consumer receives batches and deletes every message of a batch at once (a no-op handler).
/// Azurite must be running (infra/local/peers/peers.sh start azurite); it is reached through the broker's own transport
/// (<see cref="AzureStorageQueueTransport"/>, Azure.Storage.Queues with base64 messages, as the Functions host reads
/// them), from the connection string the peer wrote. Azurite deletes cost ~100 ms each on a loaded 2-core machine, so
/// it gets fewer messages by default; the rates are per message either way. Each figure comes with the load average
/// (1, 5, 15 min) before and after it: the cores are shared.
/// A warm-up of 100 messages on each transport comes first and is not counted.
/// usage: queue-throughput [SQLite messages=5000] [Azurite messages=1000] [batch sizes=16,32]
/// </summary>
public sealed class QueueThroughputBenchmark : IBenchmark
{
    private const int Senders = 8;
    private const int WarmupMessages = 100;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public string Name => "queue-throughput";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var sqliteMessages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var azuriteMessages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
        var batchSizes = args.Length > 2 ? args[2].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() : [16, 32];
        var payload = "{\"mailbox\":\"user@contoso.example\",\"job\":\"send\",\"id\":\"" + new string('x', 200) + "\"}";
        var directory = Directory.CreateTempSubdirectory("tb-queue-bench-").FullName;
        try
        {
            // Not counted: this process's JIT and the first connections otherwise fall on the first figures only
            // (the second batch size sent twice as fast as the first, though the batch size plays no part in sending).
            var warmupQueue = $"bench-warmup-{Guid.NewGuid():N}"[..30];
            await using (var warmup = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(directory, "warmup.db") }))
                await MeasureAsync(warmup, warmupQueue, WarmupMessages, batchSizes[0], payload, cancellationToken);
            await MeasureAsync(Azurite(), warmupQueue, WarmupMessages, batchSizes[0], payload, cancellationToken);

            foreach (var batch in batchSizes)
            {
                var queue = $"bench-{batch}-{Guid.NewGuid():N}"[..30];
                await using var sqlite = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = Path.Combine(directory, $"bench-{batch}.db") });
                var load = Machine.LoadAverage();
                var sqliteResult = await MeasureAsync(sqlite, queue, sqliteMessages, batch, payload, cancellationToken);
                Print("SQLite", batch, sqliteMessages, sqliteResult, load);

                var azurite = Azurite();
                load = Machine.LoadAverage();
                var azuriteResult = await MeasureAsync(azurite, queue, azuriteMessages, batch, payload, cancellationToken);
                Print("Azurite", batch, azuriteMessages, azuriteResult, load);

                Console.WriteLine(FormattableString.Invariant(
                    $"  ratio SQLite:Azurite (batch {batch}): send {sqliteResult.SendRate / azuriteResult.SendRate:F1}x, receive+delete {sqliteResult.ConsumeRate / azuriteResult.ConsumeRate:F1}x"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static AzureStorageQueueTransport Azurite() =>
        new(StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING")), logger: new StderrLogger());

    private static async Task<(double SendRate, double ConsumeRate)> MeasureAsync(
        IQueueTransport transport, string queue, int messages, int batchSize, string payload, CancellationToken cancellationToken)
    {
        await transport.CreateIfNotExistsAsync(queue, cancellationToken);

        var send = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, messages), new ParallelOptions { MaxDegreeOfParallelism = Senders, CancellationToken = cancellationToken },
            async (_, token) => await transport.SendAsync(queue, payload, cancellationToken: token));
        send.Stop();

        var consume = Stopwatch.StartNew();
        var consumed = 0;
        var lastProgress = Stopwatch.StartNew();
        while (consumed < messages)
        {
            var batch = await transport.ReceiveAsync(queue, batchSize, Lease, cancellationToken);
            if (batch.Count == 0)
            {
                // A receive that timed out and was retried leaves its batch hidden until the lease ends (at-least-once):
                // wait for it rather than call the queue empty.
                if (lastProgress.Elapsed > Lease + TimeSpan.FromSeconds(15))
                    throw new InvalidOperationException($"Queue '{queue}' ran dry after {consumed} of {messages} messages.");
                await Task.Delay(50, cancellationToken);
                continue;
            }
            lastProgress.Restart();
            await Task.WhenAll(batch.Select(message => transport.DeleteAsync(queue, message, cancellationToken)));
            consumed += batch.Count;
        }
        consume.Stop();

        var left = await transport.GetApproximateCountAsync(queue, cancellationToken);
        if (left != 0) throw new InvalidOperationException($"Queue '{queue}' still holds {left} messages after the run.");
        return (messages / send.Elapsed.TotalSeconds, messages / consume.Elapsed.TotalSeconds);
    }

    private static void Print(string transport, int batch, int messages, (double SendRate, double ConsumeRate) result, string loadBefore) =>
        Console.WriteLine(FormattableString.Invariant(
            $"  {transport,-8} batch {batch,2}: {messages} messages, send {result.SendRate,8:F0} msg/s, receive+delete {result.ConsumeRate,8:F0} msg/s") +
            $"  (load {loadBefore} -> {Machine.LoadAverage()})");

    /// <summary>Shows the transport's retry warnings: a retried receive hides its lost batch for the lease.</summary>
    private sealed class StderrLogger : ILogger<AzureStorageQueueTransport>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"  [{logLevel}] {formatter(state, exception)}");
    }
}
