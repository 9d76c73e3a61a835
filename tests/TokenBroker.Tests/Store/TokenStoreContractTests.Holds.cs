using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>The keep-alive's read-modify-write: a mailbox held from its read to its write.</summary>
public abstract partial class TokenStoreContractTests
{
    [Fact]
    public async Task A_held_mailbox_saved_at_the_version_read_stores_the_change()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));

        await using (var held = await Store.Mailboxes.HoldAsync(summary, Ct))
            await Store.Mailboxes.SaveRefreshedAsync(held!.Current.Value with { LastRefreshAt = TestMailboxes.Created.AddDays(1) }, held.Current.Version, Ct);

        Assert.Equal(TestMailboxes.Created.AddDays(1), (await Store.Mailboxes.GetAsync(saved.Value.Address, Ct))!.Value.LastRefreshAt);
    }

    [Fact]
    public async Task A_held_mailbox_saved_twice_in_a_row_keeps_both_changes()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));

        await using (var held = await Store.Mailboxes.HoldAsync(summary, Ct))
        {
            var first = await Store.Mailboxes.SaveAsync(held!.Current.Value with { LastError = "first" }, held.Current.Version, Ct);
            await Store.Mailboxes.SaveRefreshedAsync(first.Value with { LastRefreshAt = TestMailboxes.Created.AddDays(1) }, first.Version, Ct);
        }

        var stored = (await Store.Mailboxes.GetAsync(saved.Value.Address, Ct))!.Value;
        Assert.Equal(("first", TestMailboxes.Created.AddDays(1)), (stored.LastError, stored.LastRefreshAt));
    }

    [Fact]
    public async Task A_mailbox_deleted_since_it_was_listed_is_not_held()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));
        await Store.Mailboxes.DeleteAsync(saved.Value.Address, Ct);

        Assert.Null(await Store.Mailboxes.HoldAsync(summary, Ct));
    }

    [Fact]
    public async Task A_held_mailbox_can_be_written_by_another_instance_once_released()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));
        var other = await NewInstanceAsync();

        await (await Store.Mailboxes.HoldAsync(summary, Ct))!.DisposeAsync();
        var read = await other.Mailboxes.GetAsync(saved.Value.Address, Ct);
        await other.Mailboxes.SaveAsync(read!.Value with { LastError = "after" }, read.Version, Ct);

        Assert.Equal("after", (await Store.Mailboxes.GetAsync(saved.Value.Address, Ct))!.Value.LastError);
    }
}
