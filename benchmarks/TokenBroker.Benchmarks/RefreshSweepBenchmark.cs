using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Testing;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Benchmarks;

/// <summary>
/// One refresh sweep over many mailboxes (default 10,000; first argument overrides) against the local identity
/// server (HTTPS) and the Key Vault REST double, through the real KeyVaultTokenStore and SecretClient. Mailboxes are
/// connected through the real consent flow first (not measured) with 7-minute tokens, so all are due. Reports
/// mailboxes/s, Key Vault writes and GETs, /token calls and memory; then a second sweep where nothing is due.
/// Needs the ca and identity peers.
/// </summary>
public sealed class RefreshSweepBenchmark : IBenchmark
{
    public string Name => "refresh-sweep";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 10_000;
        var concurrency = args.Length > 1 && int.TryParse(args[1], out var c) ? c : new RefreshOptions().MaxConcurrency;
        var clientId = Guid.NewGuid().ToString();
        var control = new IdentityServerControl();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(BenchmarkConsent.OAuthSettings(clientId))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Refresh:Jitter"] = "00:00:00",
                ["Refresh:MaxConcurrency"] = concurrency.ToString(),
            }).Build();

        await using var vault = await KeyVaultDoubleServer.StartAsync();
        var storeOptions = new KeyVaultTokenStoreOptions { VaultUri = vault.VaultUri };
        var store = new KeyVaultTokenStore(vault.CreateClient(storeOptions), storeOptions);
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true));
        services.AddSingleton(store).AddSingleton(store.Mailboxes).AddSingleton(store.TokenCaches).AddSingleton(store.Secrets).AddSingleton<MsalTokenCacheBinding>();
        services.AddOAuth(configuration).AddRefreshJob(configuration);
        services.AddSingleton(new IdentityProviderHttpHandler(BenchmarkConsent.TrustingHandler()));
        await using var provider = services.BuildServiceProvider();
        using var browser = new HttpClient(BenchmarkConsent.TrustingHandler());
        try
        {
            await control.SetTokenLifetimeAsync(TimeSpan.FromMinutes(7), clientId, cancellationToken);
            var domain = PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN");
            var setup = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                async (i, ct) => await BenchmarkConsent.ConsentAsync(provider, browser, $"sweep{i}-{Guid.NewGuid():N}@{domain}", ct));
            Console.WriteLine($"setup: {count} mailboxes consented in {setup.Elapsed.TotalSeconds:F1} s");
            await control.SetTokenLifetimeAsync(TimeSpan.FromHours(1), clientId, cancellationToken);

            var sweep = provider.GetRequiredService<RefreshSweep>();
            await MeasureAsync("sweep, all due", vault, control, clientId, () => sweep.RunAsync(cancellationToken), cancellationToken);
            await MeasureAsync("sweep, none due", vault, control, clientId, () => sweep.RunAsync(cancellationToken), cancellationToken);
            Console.WriteLine($"process peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        }
        finally
        {
            await control.ResetAsync(clientId, cancellationToken);
        }
    }

    private static async Task MeasureAsync(string what, KeyVaultDoubleServer vault, IdentityServerControl control, string clientId,
        Func<Task<RefreshSweepResult>> run, CancellationToken cancellationToken)
    {
        GC.Collect();
        var writesBefore = vault.WriteCount;
        int requestsBefore;
        lock (vault.Requests) requestsBefore = vault.Requests.Count;
        var tokenCallsBefore = await RefreshCallsAsync(control, clientId, cancellationToken);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        long peakHeap = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        var result = await run();
        clock.Stop();
        await sampling.CancelAsync();
        await sampler;
        var writes = vault.WriteCount - writesBefore;
        List<DoubleRequest> requests;
        lock (vault.Requests) requests = vault.Requests.Skip(requestsBefore).ToList();
        var pages = requests.Count(r => r.Method == "GET" && r.Path == "/secrets");
        var mailboxReads = requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/secrets/mbx-", StringComparison.Ordinal));
        var otherReads = requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/secrets/", StringComparison.Ordinal)) - mailboxReads;
        var tokenCalls = await RefreshCallsAsync(control, clientId, cancellationToken) - tokenCallsBefore;
        Console.WriteLine($"{what}: {result.Registered} mailboxes, {result.Due} due, {result.Refreshed} refreshed, {result.Failed} failed in {clock.Elapsed.TotalSeconds:F1} s " +
                          $"= {result.Registered / clock.Elapsed.TotalSeconds:F0} mailboxes/s ({result.Refreshed / clock.Elapsed.TotalSeconds:F0} refreshes/s); " +
                          $"Key Vault writes {writes}, GETs {pages + mailboxReads + otherReads} ({pages} listing pages, {mailboxReads} mailbox reads, {otherReads} other reads); refresh_token calls {tokenCalls}; allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1048576.0:F0} MiB; peak GC heap {peakHeap / 1048576.0:F0} MiB");
    }

    private static async Task<int> RefreshCallsAsync(IdentityServerControl control, string clientId, CancellationToken cancellationToken) =>
        (await control.GetTokenRequestCountsAsync(clientId, cancellationToken)).GetValueOrDefault("refresh_token");
}
