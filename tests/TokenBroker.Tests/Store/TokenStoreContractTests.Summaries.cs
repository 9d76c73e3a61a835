using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>The listing metadata the refresh timer decides on, and the back-off kept with a mailbox.</summary>
public abstract partial class TokenStoreContractTests
{
    [Fact]
    public async Task A_summary_carries_the_state_and_refresh_times_of_its_mailbox()
    {
        var mailbox = TestMailboxes.Connected() with { Backoff = new MailboxBackoff(TestMailboxes.Created.AddMinutes(30), 2) };
        await Store.Mailboxes.SaveAsync(mailbox, null, Ct);

        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));

        Assert.Equal(MailboxState.Connected, summary.State);
        Assert.Equal(mailbox.AccessTokenExpiresAt, summary.AccessTokenExpiresAt);
        Assert.Equal(mailbox.LastRefreshAt, summary.LastRefreshAt);
        Assert.Equal(mailbox.Backoff.NextAttemptAt, summary.NextAttemptAt);
    }

    [Fact]
    public async Task Summary_times_are_truncated_to_whole_seconds_so_a_mailbox_never_looks_due_late()
    {
        var expires = TestMailboxes.Created.AddMinutes(80).AddMilliseconds(900);
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected() with { AccessTokenExpiresAt = expires }, null, Ct);

        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));

        Assert.Equal(TestMailboxes.Created.AddMinutes(80), summary.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task A_summary_reads_back_the_mailbox_it_was_listed_for()
    {
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("first@contoso.example"), null, Ct);
        var second = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("second@contoso.example") with { State = MailboxState.NeedsConsent }, null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct), s => s.State == MailboxState.NeedsConsent);

        var read = await Store.Mailboxes.GetAsync(summary, Ct);

        Assert.Equal("second@contoso.example", read!.Value.Address);
        Assert.Equal(second.Version, read.Version);
    }

    [Fact]
    public async Task A_summary_of_a_mailbox_deleted_since_reads_back_null()
    {
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var summary = Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct));
        await Store.Mailboxes.DeleteAsync(TestMailboxes.Connected().Address, Ct);

        Assert.Null(await Store.Mailboxes.GetAsync(summary, Ct));
    }

    [Fact]
    public async Task A_back_off_saved_by_one_instance_is_read_by_another()
    {
        var backoff = new MailboxBackoff(TestMailboxes.Created.AddHours(2), 3);
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected() with { Backoff = backoff }, null, Ct);
        var other = await NewInstanceAsync();

        var read = await other.Mailboxes.GetAsync(TestMailboxes.Connected().Address, Ct);

        Assert.Equal(backoff, read!.Value.Backoff);
    }

    [Fact]
    public async Task Clearing_the_back_off_clears_it_from_the_summary()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected() with { Backoff = new MailboxBackoff(TestMailboxes.Created.AddHours(2), 1) }, null, Ct);

        await Store.Mailboxes.SaveAsync(saved.Value with { Backoff = null }, saved.Version, Ct);

        Assert.Null(Assert.Single(await Store.Mailboxes.ListSummariesAsync(Ct)).NextAttemptAt);
    }
}
