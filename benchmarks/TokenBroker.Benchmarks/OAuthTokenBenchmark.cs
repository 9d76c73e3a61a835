using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Benchmarks;

/// <summary>
/// The front door against the local identity server (HTTPS) on the embedded store: full delegated consents
/// (start → authorize → callback with code redemption), silent token calls served from the cache, and silent
/// calls that refresh (refresh_token grant, rotated cache written). Needs the ca and identity peers.
/// Optional argument: the number of mailboxes (default 20).
/// </summary>
public sealed class OAuthTokenBenchmark : IBenchmark
{
    public string Name => "oauth-tokens";

    public async Task RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 20;
        var directory = Path.Combine(Path.GetTempPath(), "tokenbroker-bench-oauth-" + Guid.NewGuid().ToString("N"));
        var clientId = Guid.NewGuid().ToString();
        var control = new IdentityServerControl();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(BenchmarkConsent.OAuthSettings(clientId))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["TokenStore:DataDirectory"] = directory,
            }).Build();
        var services = new ServiceCollection().AddLogging().AddEmbeddedTokenStore(configuration).AddOAuth(configuration);
        services.AddSingleton(new IdentityProviderHttpHandler(BenchmarkConsent.TrustingHandler()));
        await using var provider = services.BuildServiceProvider();
        using var browser = new HttpClient(BenchmarkConsent.TrustingHandler());
        try
        {
            var mailboxes = Enumerable.Range(0, count).Select(i => $"bench{i}-{Guid.NewGuid():N}@{PeersEnvironment.Get("IDENTITY_TENANT_DOMAIN")}").ToArray();
            var tokens = provider.GetRequiredService<IMailboxTokenProvider>();

            // Two-minute tokens are always inside MSAL's five-minute refresh window: every silent call refreshes.
            await control.SetTokenLifetimeAsync(TimeSpan.FromSeconds(120), clientId, cancellationToken);
            await Measure("consent (start+authorize+callback)", count, async i => await BenchmarkConsent.ConsentAsync(provider, browser, mailboxes[i], cancellationToken));
            await Measure("silent, refreshing", count * 2, async i => await tokens.GetAccessTokenAsync(mailboxes[i % count], cancellationToken));
            await control.SetTokenLifetimeAsync(TimeSpan.FromHours(1), clientId, cancellationToken);
            await Measure("silent, refreshing to 1 h tokens", count, async i => await tokens.GetAccessTokenAsync(mailboxes[i], cancellationToken));
            await Measure("silent, from cache", count * 10, async i => await tokens.GetAccessTokenAsync(mailboxes[i % count], cancellationToken));
            var counts = await control.GetTokenRequestCountsAsync(clientId, cancellationToken);
            Console.WriteLine($"identity server /token calls: {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}");
        }
        finally
        {
            await control.ResetAsync(clientId, cancellationToken);
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task Measure(string what, int count, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var one = Stopwatch.StartNew();
            await operation(i);
            latencies[i] = one.Elapsed.TotalMilliseconds;
        }
        total.Stop();
        Array.Sort(latencies);
        Console.WriteLine($"{what,-36} {count,5} ops  {count / total.Elapsed.TotalSeconds,7:F1} ops/s  p50 {latencies[count / 2],7:F2} ms  p95 {latencies[(int)(count * 0.95)],7:F2} ms  max {latencies[^1],7:F2} ms");
    }
}
