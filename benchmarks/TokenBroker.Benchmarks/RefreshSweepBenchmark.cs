using Azure.Storage.Blobs;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Store.Locks;
using TokenBroker.StorageAccount;
using TokenBroker.Testing;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Benchmarks;

/// <summary>
/// One keep-alive sweep over many mailboxes (default 10,000; first argument overrides, second the concurrency
/// ceiling) against the local identity server (HTTPS) and the Key Vault REST double, through the real
/// KeyVaultTokenStore and SecretClient. Mailboxes are connected through the real consent flow first (not measured);
/// then the broker's clock jumps one keep-alive interval ahead, so all are due. Side by side in the same run, a raw
/// client (one HttpClient, the same concurrency, the same grant and scopes as MSAL sends) redeems a refresh token
/// against the same identity server before and after the sweep: the ratio sweep rate / raw rate is the sweep's
/// overhead. The Key Vault double runs in a process of its own, so the memory figures are the broker's. Reports mailboxes/s, Key Vault operations per refreshed mailbox, /token calls and memory; then a second
/// sweep where nothing is due. Needs the ca and identity peers.
/// </summary>
public sealed class RefreshSweepBenchmark : IBenchmark
{
    public string Name => "refresh-sweep";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10_000;
        var concurrency = args.Length > 1 && int.TryParse(args[1], out var c) ? c : new RefreshOptions().MaxConcurrency;
        // As on Azure: mailbox locks as blob leases (Azurite), so the keep-alive reads its record once; "nolocks" for the version check instead.
        var locks = args.Length > 2 && args[2] == "nolocks" ? null
            : new BlobMailboxLocks(StorageConnection.FromConnectionString(PeersEnvironment.Get("AZURITE_CONNECTION_STRING"), "AZURITE_CONNECTION_STRING")
                .CreateBlobServiceClient(new BlobClientOptions()).GetBlobContainerClient("bench-locks-" + Guid.NewGuid().ToString("N")[..12]), TimeProvider.System);
        Console.WriteLine(locks is null ? "mailbox locks: none (version check before each write)" : $"mailbox locks: blob leases on Azurite, container {locks.ContainerName}");
        var clientId = Guid.NewGuid().ToString();
        var control = new IdentityServerControl();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(BenchmarkConsent.OAuthSettings(clientId))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Refresh:MaxConcurrency"] = concurrency.ToString(),
            }).Build();

        await using var vault = await VaultDoubleProcess.StartAsync(cancellationToken);
        var storeOptions = new KeyVaultTokenStoreOptions { VaultUri = vault.VaultUri };
        var store = new KeyVaultTokenStore(vault.CreateClient(storeOptions), storeOptions, TimeProvider.System, locks);
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));
        services.AddSingleton(store).AddSingleton(store.Mailboxes).AddSingleton(store.TokenCaches).AddSingleton(store.Secrets).AddSingleton<MsalTokenCacheBinding>();
        var clock = new ShiftedClock();
        services.AddSingleton<TimeProvider>(clock);
        services.AddOAuth(configuration).AddRefreshJob(configuration);
        services.AddSingleton(new IdentityProviderHttpHandler(BenchmarkConsent.TrustingHandler()));
        await using var provider = services.BuildServiceProvider();
        using var browser = new HttpClient(BenchmarkConsent.TrustingHandler());
        try
        {
            await control.SetTokenLifetimeAsync(TimeSpan.FromHours(1), clientId, cancellationToken);
            var domain = PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");
            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (i, ct) => await BenchmarkConsent.ConsentAsync(provider, browser, $"sweep{i}-{Guid.NewGuid():N}@{domain}", ct));
            Console.WriteLine($"setup: {count} mailboxes consented in {setup.Elapsed.TotalSeconds:F1} s");
            clock.Shift = new RefreshOptions().Interval;

            var sweep = provider.GetRequiredService<RefreshSweep>();
            using var raw = await RawTokenClient.CreateAsync(concurrency, cancellationToken);
            await SideBySideAsync("sweep, all due (first after the consent: also reads its token cache)", count, concurrency, raw,
                () => MeasureAsync("sweep, all due, first", vault, locks, control, clientId, () => sweep.RunAsync(cancellationToken), cancellationToken), cancellationToken);
            clock.Shift += new RefreshOptions().Interval;
            await SideBySideAsync("sweep, all due (steady state: tokens kept with the record)", count, concurrency, raw,
                () => MeasureAsync("sweep, all due, steady", vault, locks, control, clientId, () => sweep.RunAsync(cancellationToken), cancellationToken), cancellationToken);
            await MeasureAsync("sweep, none due", vault, locks, control, clientId, () => sweep.RunAsync(cancellationToken), cancellationToken);
            Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        }
        finally
        {
            await control.ResetAsync(clientId, cancellationToken);
        }
    }

    /// <summary>The raw client right before and right after the sweep, so that both see the same machine.</summary>
    private static async Task SideBySideAsync(string what, int count, int concurrency, RawTokenClient raw, Func<Task<double>> sweep, CancellationToken cancellationToken)
    {
        var rawCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var rawBefore = await raw.MeasureAsync(count, cancellationToken);
        rawCpu = Process.GetCurrentProcess().TotalProcessorTime - rawCpu;
        var sweepRate = await sweep();
        var rawAfter = await raw.MeasureAsync(count, cancellationToken);
        Console.WriteLine($"{what}: raw client, {count} refresh_token grants at concurrency {concurrency}: {rawBefore:F0} tokens/s before, {rawAfter:F0} after " +
                          $"(CPU {rawCpu.TotalMilliseconds * 1000 / count:F0} µs per token); sweep {sweepRate:F0}/s; sweep / raw = {sweepRate / ((rawBefore + rawAfter) / 2):F2}");
    }

    /// <returns>Refreshed mailboxes per second.</returns>
    private static async Task<double> MeasureAsync(string what, VaultDoubleProcess vault, BlobMailboxLocks? locks, IdentityServerControl control, string clientId,
        Func<Task<RefreshSweepResult>> run, CancellationToken cancellationToken)
    {
        GC.Collect();
        var heapBefore = GC.GetGCMemoryInfo().HeapSizeBytes;
        var vaultBefore = await vault.CountsAsync(cancellationToken);
        var lockRequestsBefore = locks?.StorageRequests ?? 0;
        var tokenCallsBefore = await RefreshCallsAsync(control, clientId, cancellationToken);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        long peakHeap = 0, peakWorkingSet = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                using (var self = Process.GetCurrentProcess()) peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await run();
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await sampling.CancelAsync();
        await sampler;
        var (writes, pages, mailboxReads, otherReads) = await vault.CountsAsync(cancellationToken) - vaultBefore;
        var tokenCalls = await RefreshCallsAsync(control, clientId, cancellationToken) - tokenCallsBefore;
        Console.WriteLine($"{what}: {result.Registered} mailboxes, {result.Due} due, {result.Refreshed} refreshed, {result.Failed} failed in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"= {result.Registered / clock.Elapsed.TotalSeconds:F0} mailboxes/s ({result.Refreshed / clock.Elapsed.TotalSeconds:F0} refreshes/s); " +
                          $"Key Vault writes {writes}, GETs {pages + mailboxReads + otherReads} ({pages} listing pages, {mailboxReads} mailbox reads, {otherReads} other reads); refresh_token calls {tokenCalls}; allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:F0} MiB; GC heap {heapBefore / 1048576.0:F0} MiB before, peak {peakHeap / 1048576.0:F0} MiB; peak working set {peakWorkingSet / 1048576.0:F0} MiB");
        if (result.Refreshed > 0)
            Console.WriteLine($"  per refreshed mailbox: {(double)mailboxReads / result.Refreshed:F2} mailbox reads, {(double)otherReads / result.Refreshed:F2} other reads, " +
                              $"{(double)writes / result.Refreshed:F2} writes; {((locks?.StorageRequests ?? 0) - lockRequestsBefore) / (double)result.Refreshed:F2} lock requests (storage); listing pages per mailbox listed {(double)pages / result.Registered:F3}; " +
                              $"this process's CPU {cpu.TotalMilliseconds * 1000 / result.Refreshed:F0} µs");
        return result.Refreshed / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The system clock, moved ahead by <see cref="Shift"/> once the mailboxes are connected, so that all are due.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }

    private static async Task<int> RefreshCallsAsync(IdentityServerControl control, string clientId, CancellationToken cancellationToken) =>
        (await control.GetTokenRequestCountsAsync(clientId, cancellationToken)).GetValueOrDefault("refresh_token");
}
