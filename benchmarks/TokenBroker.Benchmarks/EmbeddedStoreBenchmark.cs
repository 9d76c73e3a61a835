using System.Diagnostics;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Embedded token store throughput on this machine's disk: creating mailboxes, reading them, saving unchanged
/// records (the "write nothing" path every refresh takes when nothing moved) and saving changed ones.
/// Optional argument: the number of mailboxes (default 500).
/// </summary>
public sealed class EmbeddedStoreBenchmark : IBenchmark
{
    public string Name => "store-embedded";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 500;
        var directory = Path.Combine(Path.GetTempPath(), "tokenbroker-bench-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var store = new EmbeddedTokenStore(new EmbeddedTokenStoreOptions { DataDirectory = directory });
            var now = DateTimeOffset.UtcNow;
            var mailboxes = Enumerable.Range(0, count).Select(i => new Mailbox(
                $"user{i}@contoso.example", "0f6a7d5e-1a2b-4c3d-9e8f-123456789abc", MailboxMode.Delegated,
                MailProtocols.Imap | MailProtocols.Smtp, null, MailboxState.Connected, null, now, now, now, now.AddHours(1),
                null, $"oid{i}.tid", ["https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"], null)).ToList();
            var versions = new string[count];

            await Measure("create", count, async i => versions[i] = (await store.Mailboxes.SaveAsync(mailboxes[i], null, cancellationToken)).Version);
            await Measure("get", count, async i => await store.Mailboxes.GetAsync(mailboxes[i].Address, cancellationToken));
            await Measure("save unchanged", count, async i => await store.Mailboxes.SaveAsync(mailboxes[i], versions[i], cancellationToken));
            await Measure("save changed", count, async i =>
                await store.Mailboxes.SaveAsync(mailboxes[i] with { AccessTokenExpiresAt = now.AddHours(2) }, versions[i], cancellationToken));
            await Measure("list (all)", 1, async _ => await store.Mailboxes.ListAsync(cancellationToken));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task Measure(string what, int count, Func<int, Task> operation)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await operation(i);
        watch.Stop();
        Console.WriteLine($"{what,-16} {count,6} ops  {watch.Elapsed.TotalMilliseconds,9:F1} ms  {count / watch.Elapsed.TotalSeconds,9:F0} ops/s  {watch.Elapsed.TotalMilliseconds * 1000 / count,8:F0} µs/op");
    }
}
