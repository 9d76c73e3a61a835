using System.Diagnostics;
using TokenBroker.Jobs.Ledger;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Mail ledger cost per send and per fetch step: recording new sends, finding them (the duplicate check every send
/// makes first), re-recording (a redelivery), and chained checkpoint saves; sequential, then 8 concurrent writers.
/// SQLite on this machine's disk, then Azure Blob on Azurite (needs the azurite peer).
/// Optional arguments: the number of operations (default 500) and "sqlite" or "blob" to run one kind only.
/// </summary>
public sealed class MailLedgerBenchmark : IBenchmark
{
    public string Name => "ledger";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 500;
        var only = args.Length > 1 ? args[1] : null;
        if (only is null or "sqlite")
        {
            var directory = Path.Combine(Path.GetTempPath(), "tokenbroker-bench-ledger-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using var ledger = new SqliteMailLedger(new SqliteMailLedgerOptions { DatabasePath = Path.Combine(directory, "ledger.db") });
                await RunKindAsync("sqlite", ledger, count, cancellationToken);
            }
            finally
            {
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            }
        }
        if (only is null or "blob")
        {
            var connection = StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING");
            var ledger = new AzureBlobMailLedger(connection, new AzureBlobMailLedgerOptions { ContainerName = "bench-" + Guid.NewGuid().ToString("N")[..16] });
            await RunKindAsync("blob", ledger, count, cancellationToken);
        }
    }

    private static async Task RunKindAsync(string kind, IMailLedger ledger, int count, CancellationToken cancellationToken)
    {
        var sentAt = DateTimeOffset.UtcNow;
        SentRecord Record(string key) => new(MessageIds.For("sender@contoso.example", key, "contoso.example"), sentAt, 3);

        await Measure(kind, "record new", count, 1, i => ledger.RecordSentAsync("sender@contoso.example", $"k{i}", Record($"k{i}"), cancellationToken));
        await Measure(kind, "find (hit)", count, 1, i => ledger.FindSentAsync("sender@contoso.example", $"k{i}", cancellationToken));
        await Measure(kind, "find (miss)", count, 1, i => ledger.FindSentAsync("sender@contoso.example", $"none{i}", cancellationToken));
        await Measure(kind, "record again", count, 1, i => ledger.RecordSentAsync("sender@contoso.example", $"k{i}", Record($"k{i}"), cancellationToken));
        await Measure(kind, "record new x8", count, 8, i => ledger.RecordSentAsync($"user{i % 8}@contoso.example", $"p{i}", Record($"p{i}"), cancellationToken));

        string? version = null;
        await Measure(kind, "checkpoint save", count, 1, async i =>
            version = (await ledger.SaveCheckpointAsync("sender@contoso.example", "imap", "INBOX",
                new FetchCheckpoint(1, i, [], sentAt), version, cancellationToken)).Version);
    }

    private static async Task Measure(string kind, string what, int count, int parallelism, Func<int, Task> operation)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next)) await operation(i);
        }));
        watch.Stop();
        Console.WriteLine($"{kind,-7} {what,-16} {count,6} ops  {watch.Elapsed.TotalMilliseconds,9:F1} ms  {count / watch.Elapsed.TotalSeconds,9:F0} ops/s  {watch.Elapsed.TotalMilliseconds * 1000 / count,8:F0} µs/op");
    }
}
