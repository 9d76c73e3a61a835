using TokenBroker.Jobs.Refresh;
using TokenBroker.Store.KeyVault;
using TokenBroker.Tests.OAuth.Support;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Jobs.Refresh;

/// <summary>
/// A day of the broker on an injected clock: 1,000 mailboxes in the Key Vault double (real SecretClient; with and
/// without the mailbox locks on Azurite), the real
/// identity server issuing access tokens that live 60 to 90 minutes, the refresh timer every five minutes, and three
/// sends or fetches per mailbox spread at random over the day.
/// </summary>
public sealed class SimulatedDayTests
{
    private const int Mailboxes = 1000;
    private const int UsesPerMailbox = 3;
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, int> PutsBySecret(DoubleVault vault, string prefix) =>
        vault.List().Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(s => s.Name, s => vault.PutCount(s.Name));

    [Theory]
    [InlineData(TestStore.KeyVault)]
    [InlineData(TestStore.KeyVaultWithLocks)]
    public async Task A_day_costs_each_mailbox_at_most_one_Key_Vault_write_and_no_send_or_fetch_waits_for_more_than_one_token_request(TestStore store)
    {
        await using var host = await RefreshTesting.StartAsync(store);
        var addresses = new string[Mailboxes];
        await Parallel.ForAsync(0, Mailboxes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (i, _) => addresses[i] = await RefreshTesting.ConnectAsync(host, tokenLifetimeSeconds: 3600));
        var vault = host.Vault!.Vault;
        var mailboxPutsBefore = PutsBySecret(vault, SecretNaming.MailboxPrefix);
        var cachePutsBefore = PutsBySecret(vault, SecretNaming.TokenCachePrefix);
        var random = new Random(13);
        var start = host.Clock.GetUtcNow();
        var uses = Enumerable.Range(0, Mailboxes * UsesPerMailbox)
            .Select(i => (At: start + TimeSpan.FromTicks((long)(random.NextDouble() * TimeSpan.TicksPerDay)), Mailbox: addresses[i % Mailboxes]))
            .OrderBy(use => use.At).ToList();
        var sweep = host.Get<RefreshSweep>();
        var next = 0;
        var mostTokenRequestsInOneUse = 0;

        for (var timer = start; timer < start + TimeSpan.FromDays(1); timer += TimerPeriod)
        {
            host.Clock.Advance(timer - host.Clock.GetUtcNow());
            await host.Identity.SetTokenLifetimeAsync(random.Next(3600, 5401));
            Assert.Equal(0, (await sweep.RunAsync(Ct)).Failed);
            for (; next < uses.Count && uses[next].At < timer + TimerPeriod; next++)
            {
                host.Clock.Advance(uses[next].At - host.Clock.GetUtcNow());
                var before = await host.Identity.TokenRequestCountAsync("refresh_token");
                await host.Tokens.GetAccessTokenAsync(uses[next].Mailbox, Ct);
                var requests = await host.Identity.TokenRequestCountAsync("refresh_token") - before;
                mostTokenRequestsInOneUse = Math.Max(mostTokenRequestsInOneUse, requests);
            }
        }

        var mailboxWrites = PutsBySecret(vault, SecretNaming.MailboxPrefix).Select(p => p.Value - mailboxPutsBefore[p.Key]).ToList();
        Assert.Equal(Mailboxes, mailboxWrites.Count);
        Assert.All(mailboxWrites, writes => Assert.Equal(1, writes)); // exactly one: the day's keep-alive
        Assert.Equal(cachePutsBefore, PutsBySecret(vault, SecretNaming.TokenCachePrefix));
        Assert.Equal(1, mostTokenRequestsInOneUse);
    }
}
