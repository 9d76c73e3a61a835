using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Store.Embedded;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Benchmarks;

/// <summary>
/// What finding the due mailboxes costs at scale, without the identity server: N mailboxes (default 10,000; first
/// argument overrides), none due, saved through the real stores (Key Vault: SecretClient against the REST double,
/// plus N token-cache secrets so the listing is as long as in production; embedded: SQLite). Measures a refresh
/// sweep with nothing due, the summary listing it uses, and the full status listing that reads every record:
/// time, bytes allocated (the whole process, so on Key Vault it includes the in-process double's server side)
/// and Key Vault requests (listing pages vs single-secret reads).
/// </summary>
public sealed class RefreshListingBenchmark : IBenchmark
{
    public string Name => "refresh-listing";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10_000;
        var now = DateTimeOffset.UtcNow;

        await using (var vault = await KeyVaultDoubleServer.StartAsync())
        {
            var options = new KeyVaultTokenStoreOptions { VaultUri = vault.VaultUri };
            var store = new KeyVaultTokenStore(vault.CreateClient(options), options);
            var setup = Stopwatch.StartNew();
            await SeedAsync(store.Mailboxes, count, now, cancellationToken);
            SeedTokenCaches(vault.Vault, count);
            Console.WriteLine($"key vault: {count} mailboxes and {count} token caches stored in {setup.Elapsed.TotalSeconds:F1} s");
            await MeasureAsync("key vault: sweep, none due", vault, async () => Describe(await SweepOf(store.Mailboxes, now).RunAsync(cancellationToken)));
            await MeasureAsync("key vault: summaries", vault, async () => $"{(await store.Mailboxes.ListSummariesAsync(cancellationToken)).Count} summaries");
            await MeasureAsync("key vault: status listing (every value)", vault, async () => $"{(await store.Mailboxes.ListAsync(cancellationToken)).Count} mailboxes");
        }

        var directory = Path.Combine(Path.GetTempPath(), "tokenbroker-bench-listing-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var embedded = new EmbeddedTokenStore(new EmbeddedTokenStoreOptions { DataDirectory = directory });
            await SeedAsync(embedded.Mailboxes, count, now, cancellationToken);
            await MeasureAsync("embedded: sweep, none due", null, async () => Describe(await SweepOf(embedded.Mailboxes, now).RunAsync(cancellationToken)));
            await MeasureAsync("embedded: summaries", null, async () => $"{(await embedded.Mailboxes.ListSummariesAsync(cancellationToken)).Count} summaries");
            await MeasureAsync("embedded: status listing (every value)", null, async () => $"{(await embedded.Mailboxes.ListAsync(cancellationToken)).Count} mailboxes");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static string Describe(RefreshSweepResult result) => $"{result.Registered} registered, {result.Due} due";

    private static RefreshSweep SweepOf(IMailboxRegistry registry, DateTimeOffset now) => new(
        registry, new RefusingTokenProvider(), Options.Create(new RefreshOptions()),
        new FixedTime(now.AddMinutes(1)), new Random(1), NullLogger<RefreshSweep>.Instance);

    private static async Task SeedAsync(IMailboxRegistry registry, int count, DateTimeOffset now, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) => await registry.SaveAsync(new Mailbox(
                $"listing{i}@contoso.example", "0f6a7d5e-1a2b-4c3d-9e8f-123456789abc", MailboxMode.Delegated,
                MailProtocols.Imap | MailProtocols.Smtp, null, MailboxState.Connected, null, now, now, now, now.AddHours(1),
                null, $"oid{i}.0f6a7d5e-1a2b-4c3d-9e8f-123456789abc",
                ["https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send", "offline_access"], null), null, ct));

    /// <summary>Token caches only lengthen the listing here: written straight into the double, shaped like the store's.</summary>
    private static void SeedTokenCaches(DoubleVault vault, int count)
    {
        var value = Convert.ToBase64String(new byte[6 * 1024]);
        for (var i = 0; i < count; i++)
            vault.Set("cache-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                value, "application/gzip;base64", new(StringComparer.Ordinal) { ["kind"] = "token-cache", ["cache"] = "user", ["generation"] = "1" });
    }

    private static async Task MeasureAsync(string what, KeyVaultDoubleServer? vault, Func<Task<string>> run)
    {
        GC.Collect();
        var requestsBefore = vault is null ? 0 : Snapshot(vault).Count;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var outcome = await run();
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var line = $"{what}: {outcome} in {clock.Elapsed.TotalSeconds:F2} s; allocated {allocated / 1048576.0:F0} MiB";
        if (vault is not null)
        {
            var requests = Snapshot(vault).Skip(requestsBefore).ToList();
            var pages = requests.Count(r => r.Method == "GET" && r.Path == "/secrets");
            var reads = requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/secrets/", StringComparison.Ordinal));
            line += $"; Key Vault GETs {pages + reads} ({pages} listing pages, {reads} secret reads), other requests {requests.Count - pages - reads}";
        }
        Console.WriteLine(line);
    }

    private static List<DoubleRequest> Snapshot(KeyVaultDoubleServer vault)
    {
        lock (vault.Requests) return vault.Requests.ToList();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Nothing is due, so a call here is a bug in the sweep.</summary>
    private sealed class RefusingTokenProvider : IMailboxTokenProvider
    {
        public Task<MailboxAccessToken> GetAccessTokenAsync(string mailboxAddress, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"The sweep asked for a token of {mailboxAddress} though nothing is due.");

        public Task<MailboxAccessToken> RefreshAsync(string mailboxAddress, bool force, CancellationToken cancellationToken = default) =>
            GetAccessTokenAsync(mailboxAddress, cancellationToken);
    }
}
