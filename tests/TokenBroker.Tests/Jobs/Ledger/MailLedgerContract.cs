using TokenBroker.Jobs.Ledger;
using TokenBroker.Store;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>What every <see cref="IMailLedger"/> must do; run against SQLite and against Azurite's blob service.</summary>
public abstract class MailLedgerContract : IAsyncLifetime
{
    protected const string Alice = "alice@contoso.com";
    protected const string Bob = "bob@contoso.com";
    private static readonly DateTimeOffset Noon = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IAsyncDisposable> _ledgers = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A ledger over this test's storage; several calls give several instances over the same storage.</summary>
    protected abstract IMailLedger CreateLedger();

    /// <summary>Everything the storage shows someone who can list or read it raw: blob names and bodies, or the database file bytes.</summary>
    protected abstract Task<string> DumpStorageAsync();

    protected IMailLedger NewLedger()
    {
        var ledger = CreateLedger();
        _ledgers.Add(new DisposeLater(ledger));
        return ledger;
    }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        await DisposeLedgersAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task DisposeLedgersAsync()
    {
        foreach (var ledger in _ledgers) await ledger.DisposeAsync();
        _ledgers.Clear();
    }

    protected static SentRecord Sent(string key, int recipients = 1, int minutes = 0) =>
        new(MessageIds.For(Alice, key, "contoso.com"), Noon.AddMinutes(minutes), recipients);

    protected static FetchCheckpoint ImapAt(long lastUid) => new(1234, lastUid, [], Noon.AddMinutes(lastUid));

    [Fact]
    public async Task An_unrecorded_key_is_not_found()
    {
        Assert.Null(await NewLedger().FindSentAsync(Alice, "never-sent", Ct));
    }

    [Fact]
    public async Task A_recorded_send_is_found_with_its_record()
    {
        var ledger = NewLedger();
        var record = Sent("req-1", recipients: 3);

        await ledger.RecordSentAsync(Alice, "req-1", record, Ct);

        Assert.Equal(record, await ledger.FindSentAsync(Alice, "req-1", Ct));
    }

    [Fact]
    public async Task The_first_record_wins_and_a_second_record_of_the_same_key_changes_nothing()
    {
        var ledger = NewLedger();
        var first = Sent("req-2", recipients: 1);

        await ledger.RecordSentAsync(Alice, "req-2", first, Ct);
        await ledger.RecordSentAsync(Alice, "req-2", Sent("req-2", recipients: 9, minutes: 5), Ct);

        Assert.Equal(first, await ledger.FindSentAsync(Alice, "req-2", Ct));
    }

    [Fact]
    public async Task Mailboxes_compare_case_insensitively()
    {
        var ledger = NewLedger();
        var record = Sent("req-3");

        await ledger.RecordSentAsync("Alice@Contoso.COM", "req-3", record, Ct);

        Assert.Equal(record, await ledger.FindSentAsync(Alice, "req-3", Ct));
    }

    [Fact]
    public async Task The_same_key_from_different_mailboxes_does_not_collide()
    {
        var ledger = NewLedger();
        var fromAlice = Sent("shared-key", recipients: 1);
        var fromBob = new SentRecord(MessageIds.For(Bob, "shared-key", "contoso.com"), Noon, 2);

        await ledger.RecordSentAsync(Alice, "shared-key", fromAlice, Ct);
        await ledger.RecordSentAsync(Bob, "shared-key", fromBob, Ct);

        Assert.Equal(fromAlice, await ledger.FindSentAsync(Alice, "shared-key", Ct));
        Assert.Equal(fromBob, await ledger.FindSentAsync(Bob, "shared-key", Ct));
    }

    [Fact]
    public async Task Idempotency_keys_are_case_sensitive()
    {
        var ledger = NewLedger();

        await ledger.RecordSentAsync(Alice, "Req-4", Sent("Req-4"), Ct);

        Assert.Null(await ledger.FindSentAsync(Alice, "req-4", Ct));
    }

    [Fact]
    public async Task A_second_instance_over_the_same_storage_sees_the_first_ones_record()
    {
        var writer = NewLedger();
        var reader = NewLedger();
        var record = Sent("req-5");

        await writer.RecordSentAsync(Alice, "req-5", record, Ct);
        await reader.RecordSentAsync(Alice, "req-5", Sent("req-5", recipients: 7), Ct);

        Assert.Equal(record, await reader.FindSentAsync(Alice, "req-5", Ct));
    }

    [Fact]
    public async Task A_key_without_an_attempt_has_none()
    {
        Assert.Null(await NewLedger().FindAttemptAsync(Alice, "never-tried", Ct));
    }

    [Fact]
    public async Task A_recorded_attempt_is_found_by_another_instance()
    {
        var attempt = new SendAttempt(Sent("req-a1").MessageId, Noon);

        await NewLedger().RecordAttemptAsync(Alice, "req-a1", attempt, Ct);

        Assert.Equal(attempt, await NewLedger().FindAttemptAsync(Alice.ToUpperInvariant(), "req-a1", Ct));
    }

    [Fact]
    public async Task A_newer_attempt_replaces_the_earlier_one()
    {
        var ledger = NewLedger();
        var messageId = Sent("req-a2").MessageId;

        await ledger.RecordAttemptAsync(Alice, "req-a2", new SendAttempt(messageId, Noon), Ct);
        await ledger.RecordAttemptAsync(Alice, "req-a2", new SendAttempt(messageId, Noon.AddMinutes(7)), Ct);

        Assert.Equal(Noon.AddMinutes(7), (await ledger.FindAttemptAsync(Alice, "req-a2", Ct))!.CommittingAt);
    }

    [Fact]
    public async Task An_attempt_keeps_the_date_its_message_was_built_with()
    {
        var attempt = new SendAttempt(Sent("req-a4").MessageId, Noon.AddMinutes(2), Noon);

        await NewLedger().RecordAttemptAsync(Alice, "req-a4", attempt, Ct);

        Assert.Equal(attempt, await NewLedger().FindAttemptAsync(Alice, "req-a4", Ct));
    }

    [Fact]
    public async Task A_forgotten_attempt_is_gone_and_forgetting_a_missing_one_is_harmless()
    {
        var ledger = NewLedger();
        await ledger.RecordAttemptAsync(Alice, "req-a5", new SendAttempt(Sent("req-a5").MessageId, Noon), Ct);
        await ledger.RecordAttemptAsync(Bob, "req-a5", new SendAttempt(Sent("req-a5").MessageId, Noon), Ct);

        await ledger.ForgetAttemptAsync(Alice.ToUpperInvariant(), "req-a5", Ct);
        await ledger.ForgetAttemptAsync(Alice, "never-tried", Ct);

        Assert.Null(await NewLedger().FindAttemptAsync(Alice, "req-a5", Ct));
        Assert.NotNull(await NewLedger().FindAttemptAsync(Bob, "req-a5", Ct));
    }

    [Fact]
    public async Task An_attempt_is_not_a_sent_record()
    {
        var ledger = NewLedger();

        await ledger.RecordAttemptAsync(Alice, "req-a3", new SendAttempt(Sent("req-a3").MessageId, Noon), Ct);

        Assert.Null(await ledger.FindSentAsync(Alice, "req-a3", Ct));
        Assert.Null(await ledger.FindAttemptAsync(Bob, "req-a3", Ct));
    }

    [Fact]
    public async Task A_missing_checkpoint_is_null()
    {
        Assert.Null(await NewLedger().GetCheckpointAsync(Alice, "imap", "INBOX", Ct));
    }

    [Fact]
    public async Task A_saved_checkpoint_is_read_back_with_the_version_the_save_returned()
    {
        var ledger = NewLedger();
        var checkpoint = new FetchCheckpoint(null, null, ["uidl-1", "uidl-2"], Noon);

        var saved = await ledger.SaveCheckpointAsync(Alice, "pop3", "INBOX", checkpoint, expectedVersion: null, Ct);
        var read = await ledger.GetCheckpointAsync(Alice, "pop3", "INBOX", Ct);

        Assert.NotNull(read);
        Assert.Equal(saved.Version, read.Version);
        Assert.Equal(["uidl-1", "uidl-2"], read.Value.Pop3Uidls);
        Assert.Equal(checkpoint with { Pop3Uidls = read.Value.Pop3Uidls }, read.Value);
    }

    [Fact]
    public async Task Saving_at_the_current_version_replaces_the_checkpoint_and_changes_the_version()
    {
        var ledger = NewLedger();
        var first = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(10), null, Ct);

        var second = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(20), first.Version, Ct);

        Assert.NotEqual(first.Version, second.Version);
        var read = await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct);
        Assert.Equal(20, read!.Value.LastUid);
        Assert.Equal(1234, read.Value.UidValidity);
        Assert.Equal(second.Version, read.Version);
    }

    [Fact]
    public async Task A_stale_expected_version_throws_and_changes_nothing()
    {
        var ledger = NewLedger();
        var first = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(10), null, Ct);
        var second = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(20), first.Version, Ct);

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(
            () => ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(15), first.Version, Ct));

        Assert.Equal(first.Version, error.ExpectedVersion);
        Assert.Equal(second.Version, error.ActualVersion);
        var read = await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct);
        Assert.Equal(20, read!.Value.LastUid);
        Assert.Equal(second.Version, read.Version);
    }

    [Fact]
    public async Task A_first_save_when_a_checkpoint_exists_throws_and_changes_nothing()
    {
        var ledger = NewLedger();
        var existing = await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(10), null, Ct);

        var error = await Assert.ThrowsAsync<StoreConcurrencyException>(
            () => NewLedger().SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(99), expectedVersion: null, Ct));

        Assert.Null(error.ExpectedVersion);
        Assert.Equal(existing.Version, error.ActualVersion);
        Assert.Equal(10, (await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct))!.Value.LastUid);
    }

    [Fact]
    public async Task A_save_expecting_a_version_when_none_exists_throws_and_creates_nothing()
    {
        var ledger = NewLedger();
        var elsewhere = await ledger.SaveCheckpointAsync(Alice, "imap", "Archive", ImapAt(1), null, Ct);

        await Assert.ThrowsAsync<StoreConcurrencyException>(
            () => ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(5), elsewhere.Version, Ct));

        Assert.Null(await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct));
    }

    [Fact]
    public async Task Checkpoints_are_kept_per_mailbox_protocol_and_folder()
    {
        var ledger = NewLedger();

        await ledger.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(1), null, Ct);
        await ledger.SaveCheckpointAsync(Alice, "imap", "Archive", ImapAt(2), null, Ct);
        await ledger.SaveCheckpointAsync(Alice, "pop3", "INBOX", ImapAt(3), null, Ct);
        await ledger.SaveCheckpointAsync(Bob, "imap", "INBOX", ImapAt(4), null, Ct);

        Assert.Equal(1, (await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct))!.Value.LastUid);
        Assert.Equal(2, (await ledger.GetCheckpointAsync(Alice, "imap", "Archive", Ct))!.Value.LastUid);
        Assert.Equal(3, (await ledger.GetCheckpointAsync(Alice, "pop3", "INBOX", Ct))!.Value.LastUid);
        Assert.Equal(4, (await ledger.GetCheckpointAsync(Bob, "imap", "INBOX", Ct))!.Value.LastUid);
    }

    [Fact]
    public async Task Inbox_and_the_mailbox_address_are_matched_case_insensitively_other_folders_exactly()
    {
        var ledger = NewLedger();

        await ledger.SaveCheckpointAsync("ALICE@contoso.com", "IMAP", "inbox", ImapAt(7), null, Ct);
        await ledger.SaveCheckpointAsync(Alice, "imap", "Archive", ImapAt(8), null, Ct);

        Assert.Equal(7, (await ledger.GetCheckpointAsync(Alice, "imap", "INBOX", Ct))!.Value.LastUid);
        Assert.Null(await ledger.GetCheckpointAsync(Alice, "imap", "archive", Ct));
    }

    [Fact]
    public async Task The_stored_data_reveals_neither_mail_addresses_nor_idempotency_keys()
    {
        var ledger = NewLedger();
        await ledger.RecordSentAsync(Alice, "order-for-carol@example.org", Sent("order-for-carol@example.org"), Ct);
        await ledger.RecordAttemptAsync(Bob, "order-for-carol@example.org", new SendAttempt(Sent("order-for-carol@example.org").MessageId, Noon), Ct);
        await ledger.SaveCheckpointAsync(Bob, "imap", "INBOX", ImapAt(3), null, Ct);
        await ledger.SaveCheckpointAsync(Alice, "pop3", "INBOX", new FetchCheckpoint(null, null, ["u1"], DateTimeOffset.UnixEpoch), null, Ct);

        var dump = await DumpStorageAsync();

        Assert.True(dump.Length > 0);
        Assert.DoesNotContain(Alice, dump, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Bob, dump, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("carol", dump, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("order-for", dump, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class DisposeLater(IMailLedger ledger) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            switch (ledger)
            {
                case IAsyncDisposable asyncDisposable: return asyncDisposable.DisposeAsync();
                case IDisposable disposable: disposable.Dispose(); break;
            }
            return ValueTask.CompletedTask;
        }
    }
}
