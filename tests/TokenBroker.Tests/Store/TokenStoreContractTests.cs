using System.Text;
using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>
/// What every token store implementation must do. Each subclass runs all of these against its implementation;
/// "instance" means one broker process's view, several instances share the same backing store.
/// </summary>
public abstract partial class TokenStoreContractTests : IAsyncLifetime
{
    private readonly List<StoreHandles> _instances = [];

    protected StoreHandles Store { get; private set; } = null!;

    /// <summary>A new instance over the same backing store.</summary>
    protected abstract ValueTask<StoreHandles> OpenInstanceAsync();

    /// <summary>Writes that reached the backing store so far (Key Vault PUTs, SQLite row changes).</summary>
    protected abstract Task<long> CountWritesAsync();

    protected async ValueTask<StoreHandles> NewInstanceAsync()
    {
        var instance = await OpenInstanceAsync();
        _instances.Add(instance);
        return instance;
    }

    public virtual async ValueTask InitializeAsync() => Store = await NewInstanceAsync();

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
            if (instance.Owner is not null) await instance.Owner.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saved_mailbox_reads_back_with_every_field()
    {
        var mailbox = TestMailboxes.AwaitingConsent("Carol@Contoso.example", "verifier-abc123");

        var saved = await Store.Mailboxes.SaveAsync(mailbox, null, Ct);
        var read = await Store.Mailboxes.GetAsync("Carol@Contoso.example", Ct);

        Assert.NotNull(read);
        TestMailboxes.AssertSame(mailbox, read.Value);
        Assert.Equal(saved.Version, read.Version);
    }

    [Fact]
    public async Task Get_matches_the_address_case_insensitively()
    {
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("Dave@Contoso.example"), null, Ct);

        var read = await Store.Mailboxes.GetAsync("  dave@CONTOSO.example ", Ct);

        Assert.NotNull(read);
        Assert.Equal("Dave@Contoso.example", read.Value.Address);
    }

    [Fact]
    public async Task Get_of_an_unknown_address_returns_null()
    {
        Assert.Null(await Store.Mailboxes.GetAsync("nobody@contoso.example", Ct));
    }

    [Fact]
    public async Task List_returns_every_saved_mailbox()
    {
        string[] addresses = ["a1@contoso.example", "a2@contoso.example", "a3@contoso.example", "a4@contoso.example", "a5@contoso.example"];
        foreach (var address in addresses)
            await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(address), null, Ct);

        var listed = await Store.Mailboxes.ListAsync(Ct);

        Assert.Equal(addresses, listed.Select(m => m.Value.Address).Order());
    }

    [Fact]
    public async Task Delete_removes_the_mailbox_from_get_and_list()
    {
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("gone@contoso.example"), null, Ct);
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("kept@contoso.example"), null, Ct);

        await Store.Mailboxes.DeleteAsync("Gone@contoso.example", Ct);

        Assert.Null(await Store.Mailboxes.GetAsync("gone@contoso.example", Ct));
        Assert.Equal(["kept@contoso.example"], (await Store.Mailboxes.ListAsync(Ct)).Select(m => m.Value.Address));
    }

    [Fact]
    public async Task Delete_of_an_unknown_address_does_nothing()
    {
        await Store.Mailboxes.DeleteAsync("nobody@contoso.example", Ct);

        Assert.Empty(await Store.Mailboxes.ListAsync(Ct));
    }

    [Fact]
    public async Task A_deleted_mailbox_can_be_registered_again_with_new_content()
    {
        await Store.Mailboxes.SaveAsync(TestMailboxes.Connected("again@contoso.example"), null, Ct);
        await Store.Mailboxes.DeleteAsync("again@contoso.example", Ct);
        var fresh = TestMailboxes.AwaitingConsent("again@contoso.example", "verifier-second-time");

        var saved = await Store.Mailboxes.SaveAsync(fresh, null, Ct);

        var read = await Store.Mailboxes.GetAsync("again@contoso.example", Ct);
        TestMailboxes.AssertSame(fresh, read!.Value);
        Assert.Equal(saved.Version, read.Version);
    }

    [Fact]
    public async Task Saving_with_a_stale_version_throws_and_changes_nothing()
    {
        var first = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var other = await NewInstanceAsync();
        var byOther = await other.Mailboxes.SaveAsync(first.Value with { State = MailboxState.NeedsConsent, StateReason = "AADSTS700082" }, first.Version, Ct);

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() =>
            Store.Mailboxes.SaveAsync(first.Value with { State = MailboxState.Disabled }, first.Version, Ct));

        Assert.Equal(first.Version, error.ExpectedVersion);
        Assert.Equal(byOther.Version, error.ActualVersion);
        var stored = await Store.Mailboxes.GetAsync(first.Value.Address, Ct);
        Assert.Equal(MailboxState.NeedsConsent, stored!.Value.State);
        Assert.Equal(byOther.Version, stored.Version);
    }

    [Fact]
    public async Task Creating_a_mailbox_that_exists_throws_and_changes_nothing()
    {
        var existing = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() =>
            Store.Mailboxes.SaveAsync(TestMailboxes.Connected() with { State = MailboxState.Disabled }, null, Ct));

        Assert.Null(error.ExpectedVersion);
        Assert.Equal(existing.Version, error.ActualVersion);
        Assert.Equal(MailboxState.Connected, (await Store.Mailboxes.GetAsync(existing.Value.Address, Ct))!.Value.State);
    }

    [Fact]
    public async Task Saving_with_a_version_of_a_missing_mailbox_throws()
    {
        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() =>
            Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), "0123456789abcdef0123456789abcdef", Ct));

        Assert.Null(error.ActualVersion);
        Assert.Null(await Store.Mailboxes.GetAsync(TestMailboxes.Connected().Address, Ct));
    }

    [Fact]
    public async Task Saving_an_unchanged_mailbox_writes_nothing_and_keeps_the_version()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var read = await Store.Mailboxes.GetAsync(saved.Value.Address, Ct);
        var writesBefore = await CountWritesAsync();

        var again = await Store.Mailboxes.SaveAsync(read!.Value with { GrantedScopes = read.Value.GrantedScopes.ToList() }, read.Version, Ct);

        Assert.Equal(writesBefore, await CountWritesAsync());
        Assert.Equal(read.Version, again.Version);
    }

    [Fact]
    public async Task Saving_a_changed_mailbox_writes_once_and_returns_a_new_version()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        var writesBefore = await CountWritesAsync();

        var changed = await Store.Mailboxes.SaveAsync(saved.Value with { AccessTokenExpiresAt = saved.Value.AccessTokenExpiresAt!.Value.AddHours(1) }, saved.Version, Ct);

        Assert.Equal(writesBefore + 1, await CountWritesAsync());
        Assert.NotEqual(saved.Version, changed.Version);
        Assert.Equal(changed.Version, (await Store.Mailboxes.GetAsync(saved.Value.Address, Ct))!.Version);
    }

    [Fact]
    public async Task Another_instance_sees_what_one_instance_saved()
    {
        var saved = await Store.Mailboxes.SaveAsync(TestMailboxes.Connected(), null, Ct);
        await Store.TokenCaches.WriteAsync("oid.tid", Encoding.UTF8.GetBytes("{\"cache\":1}"), null, cancellationToken: Ct);
        var other = await NewInstanceAsync();

        var mailbox = await other.Mailboxes.GetAsync(saved.Value.Address, Ct);
        var cache = await other.TokenCaches.ReadAsync("oid.tid", Ct);

        Assert.Equal(saved.Version, mailbox!.Version);
        Assert.Equal("{\"cache\":1}", Encoding.UTF8.GetString(cache!.Value));
    }

    [Fact]
    public async Task Written_token_cache_reads_back()
    {
        var blob = Encoding.UTF8.GetBytes("{\"RefreshToken\":{\"k\":{\"secret\":\"rt-0001\"}}}");

        var written = await Store.TokenCaches.WriteAsync("uid.utid", blob, null, cancellationToken: Ct);
        var read = await Store.TokenCaches.ReadAsync("uid.utid", Ct);

        Assert.Equal(blob, read!.Value);
        Assert.Equal(written.Version, read.Version);
    }

    [Fact]
    public async Task Read_of_an_unknown_cache_key_returns_null()
    {
        Assert.Null(await Store.TokenCaches.ReadAsync("missing.key", Ct));
    }

    [Fact]
    public async Task Writing_a_cache_with_a_stale_version_throws_and_changes_nothing()
    {
        var first = await Store.TokenCaches.WriteAsync("uid.utid", [1, 2, 3], null, cancellationToken: Ct);
        var second = await Store.TokenCaches.WriteAsync("uid.utid", [4, 5, 6], first.Version, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(() =>
            Store.TokenCaches.WriteAsync("uid.utid", [7, 8, 9], first.Version, cancellationToken: Ct));

        Assert.Equal(second.Version, error.ActualVersion);
        Assert.Equal([4, 5, 6], (await Store.TokenCaches.ReadAsync("uid.utid", Ct))!.Value);
    }

    [Fact]
    public async Task Writing_identical_cache_bytes_writes_nothing()
    {
        var first = await Store.TokenCaches.WriteAsync("uid.utid", [1, 2, 3], null, cancellationToken: Ct);
        var writesBefore = await CountWritesAsync();

        var again = await Store.TokenCaches.WriteAsync("uid.utid", [1, 2, 3], first.Version, cancellationToken: Ct);

        Assert.Equal(writesBefore, await CountWritesAsync());
        Assert.Equal(first.Version, again.Version);
    }

    [Fact]
    public async Task Deleted_token_cache_reads_as_null_and_can_be_written_again()
    {
        await Store.TokenCaches.WriteAsync("uid.utid", [1, 2, 3], null, cancellationToken: Ct);

        await Store.TokenCaches.DeleteAsync("uid.utid", Ct);

        Assert.Null(await Store.TokenCaches.ReadAsync("uid.utid", Ct));
        await Store.TokenCaches.WriteAsync("uid.utid", [9], null, cancellationToken: Ct);
        Assert.Equal([9], (await Store.TokenCaches.ReadAsync("uid.utid", Ct))!.Value);
    }

    [Fact]
    public async Task Broker_key_is_the_same_across_instances()
    {
        var key = await Store.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);
        var other = await NewInstanceAsync();

        var seenByOther = await other.Secrets.GetOrCreateKeyAsync("consent-state", 32, Ct);

        Assert.Equal(32, key.Length);
        Assert.Equal(key, seenByOther);
    }

    [Fact]
    public async Task Broker_keys_with_different_names_differ()
    {
        var one = await Store.Secrets.GetOrCreateKeyAsync("key-one", 32, Ct);
        var two = await Store.Secrets.GetOrCreateKeyAsync("key-two", 32, Ct);

        Assert.NotEqual(one, two);
    }

    [Fact]
    public async Task Broker_key_asked_for_with_another_size_throws()
    {
        await Store.Secrets.GetOrCreateKeyAsync("sized", 32, Ct);
        var other = await NewInstanceAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.Secrets.GetOrCreateKeyAsync("sized", 64, Ct));

        Assert.Contains("32 bytes", error.Message);
    }

    [Fact]
    public async Task Broker_key_name_outside_the_allowed_characters_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Secrets.GetOrCreateKeyAsync("bad_name!", 32, Ct));
    }
}
