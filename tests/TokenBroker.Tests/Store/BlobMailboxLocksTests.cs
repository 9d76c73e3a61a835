using TokenBroker.Store.Locks;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Store;

/// <summary>
/// Mailbox locks as shard leases on Azurite: each <see cref="BlobMailboxLocks"/> is one process; within it writers of
/// one shard share the lease and exclude each other per record, across processes the shard's lease excludes.
/// </summary>
public sealed class BlobMailboxLocksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _container = "locks-" + Guid.NewGuid().ToString("N")[..12];

    private BlobMailboxLocks Process(TimeProvider? clock = null) =>
        new(KeyVaultLockedTokenStoreTests.LockContainer(_container), clock ?? TimeProvider.System);

    /// <summary>Record names that fall in one shard.</summary>
    private static string[] SameShard(int count)
    {
        var locks = new BlobMailboxLocks(KeyVaultLockedTokenStoreTests.LockContainer("unused"), TimeProvider.System);
        return Enumerable.Range(0, 10_000).Select(i => $"mbx-{i}").GroupBy(locks.ShardOf).First(g => g.Count() >= count).Take(count).ToArray();
    }

    /// <summary>Creates the shard's blob, so a test counts only lease requests.</summary>
    private static async Task WarmAsync(BlobMailboxLocks locks, string record) =>
        await (await locks.TryAcquireAsync(record, TimeSpan.Zero, Ct))!.DisposeAsync();

    [Fact]
    public async Task Writers_at_records_of_one_shard_in_one_process_share_one_lease()
    {
        var records = SameShard(3);
        var locks = Process();
        await WarmAsync(locks, records[0]);
        var before = locks.StorageRequests;

        var held = new List<IMailboxLock>();
        foreach (var record in records) held.Add((await locks.TryAcquireAsync(record, TimeSpan.Zero, Ct))!);
        foreach (var taken in held) await taken.DisposeAsync();

        Assert.Equal(2, locks.StorageRequests - before); // one acquire, one release
    }

    [Fact]
    public async Task A_record_another_writer_of_the_same_process_holds_is_not_lent_to_a_second_one()
    {
        var record = SameShard(1)[0];
        var locks = Process();

        await using var first = await locks.TryAcquireAsync(record, TimeSpan.Zero, Ct);

        Assert.NotNull(first);
        Assert.Null(await locks.TryAcquireAsync(record, TimeSpan.Zero, Ct));
    }

    [Fact]
    public async Task A_writer_waits_for_the_same_process_writer_of_its_record_and_takes_it_once_released()
    {
        var record = SameShard(1)[0];
        var locks = Process();
        var first = (await locks.TryAcquireAsync(record, TimeSpan.Zero, Ct))!;

        var second = locks.TryAcquireAsync(record, TimeSpan.FromSeconds(20), Ct);
        await Task.Delay(300, Ct);
        var waited = !second.IsCompleted;
        await first.DisposeAsync();

        await using var taken = await second.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.True(waited);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task Another_process_is_kept_out_of_every_record_of_a_held_shard_until_it_is_released()
    {
        var records = SameShard(2);
        var first = Process();
        var second = Process();
        var held = (await first.TryAcquireAsync(records[0], TimeSpan.Zero, Ct))!;

        var keptOut = await second.TryAcquireAsync(records[1], TimeSpan.Zero, Ct);
        await held.DisposeAsync();
        await using var afterwards = await second.TryAcquireAsync(records[1], TimeSpan.FromSeconds(5), Ct);

        Assert.Null(keptOut);
        Assert.NotNull(afterwards);
    }

    [Fact]
    public async Task A_one_shot_attempt_at_a_shard_another_process_holds_asks_storage_once_a_second()
    {
        var records = SameShard(3);
        var first = Process();
        var second = Process();
        await using var held = await first.TryAcquireAsync(records[0], TimeSpan.Zero, Ct);

        Assert.Null(await second.TryAcquireAsync(records[1], TimeSpan.Zero, Ct));
        Assert.Null(await second.TryAcquireAsync(records[2], TimeSpan.Zero, Ct));
        Assert.Equal(1, second.StorageRequests);
    }

    [Fact]
    public async Task A_writer_joining_a_lease_older_than_RenewAfter_renews_it_for_every_writer_holding_it()
    {
        var records = SameShard(2);
        var clock = new ManualTimeProvider();
        var locks = Process(clock);
        await WarmAsync(locks, records[0]);
        await using var early = (await locks.TryAcquireAsync(records[0], TimeSpan.Zero, Ct))!;
        clock.Advance(BlobMailboxLocks.RenewAfter + TimeSpan.FromSeconds(1));
        var before = locks.StorageRequests;

        await using var late = (await locks.TryAcquireAsync(records[1], TimeSpan.Zero, Ct))!;
        clock.Advance(BlobMailboxLocks.SafeHold - TimeSpan.FromSeconds(5));

        Assert.Equal(1, locks.StorageRequests - before);
        Assert.True(early.IsSafelyHeld);
        Assert.True(late.IsSafelyHeld);
    }

    [Fact]
    public async Task A_lease_held_past_its_safe_time_is_not_joined_and_its_writers_must_check_versions()
    {
        var records = SameShard(2);
        var clock = new ManualTimeProvider();
        var locks = Process(clock);
        await using var early = (await locks.TryAcquireAsync(records[0], TimeSpan.Zero, Ct))!;
        clock.Advance(BlobMailboxLocks.SafeHold);

        await using var late = await locks.TryAcquireAsync(records[1], TimeSpan.Zero, Ct);

        Assert.False(early.IsSafelyHeld);
        Assert.True(late!.IsSafelyHeld);
    }

    [Fact]
    public async Task The_last_writer_of_a_shard_to_leave_releases_the_lease_for_other_processes()
    {
        var records = SameShard(2);
        var first = Process();
        var second = Process();
        var a = (await first.TryAcquireAsync(records[0], TimeSpan.Zero, Ct))!;
        var b = (await first.TryAcquireAsync(records[1], TimeSpan.Zero, Ct))!;

        await a.DisposeAsync();
        var whileOneStays = await second.TryAcquireAsync(records[0], TimeSpan.Zero, Ct);
        await b.DisposeAsync();
        await using var afterTheLast = await second.TryAcquireAsync(records[0], TimeSpan.FromSeconds(5), Ct);

        Assert.Null(whileOneStays);
        Assert.NotNull(afterTheLast);
    }
}
