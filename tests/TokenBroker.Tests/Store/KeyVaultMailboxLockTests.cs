using TokenBroker.Store;
using TokenBroker.Store.KeyVault;
using TokenBroker.Store.Locks;
using TokenBroker.Testing;
using TokenBroker.Tests.Store.KeyVaultDouble;

namespace TokenBroker.Tests.Store;

/// <summary>
/// What the mailbox locks buy on Key Vault (the REST double, locks on Azurite): the keep-alive reads its record once,
/// and a writer arriving during a keep-alive waits for it instead of being overwritten.
/// </summary>
public sealed class KeyVaultMailboxLockTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly KeyVaultTokenStoreOptions Options = new() { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10), NetworkTimeout = TimeSpan.FromSeconds(10) };
    private readonly string _container = "locks-" + Guid.NewGuid().ToString("N")[..12];
    private KeyVaultDoubleServer _vault = null!;

    public async ValueTask InitializeAsync() => _vault = await KeyVaultDoubleServer.StartAsync();

    public async ValueTask DisposeAsync() => await _vault.DisposeAsync();

    private IMailboxRegistry Instance(TimeProvider? lockClock = null) =>
        new KeyVaultTokenStore(_vault.CreateClient(Options), Options, TimeProvider.System,
            new BlobMailboxLocks(KeyVaultLockedTokenStoreTests.LockContainer(_container), lockClock ?? TimeProvider.System)).Mailboxes;

    private IMailboxRegistry InstanceWithoutLocks() => new KeyVaultTokenStore(_vault.CreateClient(Options), Options).Mailboxes;

    private int MailboxReads()
    {
        lock (_vault.Requests) return _vault.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/secrets/mbx-", StringComparison.Ordinal));
    }

    private static async Task<MailboxSummary> RegisterAsync(IMailboxRegistry registry)
    {
        await registry.SaveAsync(TestMailboxes.Connected(), null, Ct);
        return Assert.Single(await registry.ListSummariesAsync(Ct));
    }

    private static Task KeepAliveAsync(IMailboxRegistry registry, HeldMailbox held) =>
        registry.SaveRefreshedAsync(held.Current.Value with { LastRefreshAt = held.Current.Value.LastRefreshAt!.Value.AddDays(1) }, held.Current.Version, Ct);

    [Fact]
    public async Task A_keep_alive_under_the_lock_reads_the_record_once_and_writes_once()
    {
        var registry = Instance();
        var summary = await RegisterAsync(registry);
        var (reads, writes) = (MailboxReads(), _vault.WriteCount);

        await using (var held = await registry.HoldAsync(summary, Ct))
            await KeepAliveAsync(registry, held!);

        Assert.Equal((1, 1), (MailboxReads() - reads, _vault.WriteCount - writes));
    }

    [Fact]
    public async Task Without_locks_the_keep_alive_reads_the_record_again_to_check_its_version()
    {
        var registry = InstanceWithoutLocks();
        var summary = await RegisterAsync(registry);
        var (reads, writes) = (MailboxReads(), _vault.WriteCount);

        await using (var held = await registry.HoldAsync(summary, Ct))
            await KeepAliveAsync(registry, held!);

        Assert.Equal((2, 1), (MailboxReads() - reads, _vault.WriteCount - writes));
    }

    [Fact]
    public async Task A_consent_arriving_during_a_keep_alive_waits_for_it_and_is_then_told_to_re_read()
    {
        var sweeping = Instance();
        var consenting = Instance();
        var summary = await RegisterAsync(sweeping);
        var held = (await sweeping.HoldAsync(summary, Ct))!;
        var before = (await consenting.GetAsync(TestMailboxes.Connected().Address, Ct))!;

        var consent = consenting.SaveAsync(before.Value with { HomeAccountId = "new-grant" }, before.Version, Ct);
        await Task.Delay(500, Ct);
        var waitedForTheKeepAlive = !consent.IsCompleted;
        await KeepAliveAsync(sweeping, held);
        await held.DisposeAsync();

        await Assert.ThrowsAsync<StoreConcurrencyException>(() => consent.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.True(waitedForTheKeepAlive);
    }

    [Fact]
    public async Task A_mailbox_another_writer_holds_is_left_to_that_writer()
    {
        var first = Instance();
        var second = Instance();
        var summary = await RegisterAsync(first);

        await using var held = await first.HoldAsync(summary, Ct);

        Assert.NotNull(held);
        Assert.Null(await second.HoldAsync(summary, Ct));
    }

    [Fact]
    public async Task A_holder_past_its_safe_time_checks_the_version_before_it_writes()
    {
        var clock = new ManualTimeProvider();
        var registry = Instance(clock);
        var summary = await RegisterAsync(registry);
        var reads = MailboxReads();

        await using (var held = await registry.HoldAsync(summary, Ct))
        {
            clock.Advance(BlobMailboxLocks.SafeHold);
            await KeepAliveAsync(registry, held!);
        }

        Assert.Equal(2, MailboxReads() - reads);
    }
}
