using TokenBroker.Jobs.Events;
using TokenBroker.Jobs.Events.Journal;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Tests.Jobs.Ledger;

namespace TokenBroker.Tests.Jobs.Events;

/// <summary>The event journal on both stores: SQLite in a data folder, and the blob ledger's container on Azurite.</summary>
public sealed class EventJournalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Stores => ["sqlite", "blob"];

    private static IEventJournal Create(string store) => store == "sqlite"
        ? new SqliteEventJournal(Path.Combine(Directory.CreateTempSubdirectory("tokenbroker-journal-").FullName, SqliteEventJournal.DefaultFileName))
        : new BlobEventJournal(new AzureBlobMailLedger(AzureBlobMailLedgerTests.Azurite,
            new AzureBlobMailLedgerOptions { ContainerName = "journal-" + Guid.NewGuid().ToString("N")[..16], MaxRetries = 1 }).Container);

    private static string Event(int n) =>
        BrokerEvent.StateChanged($"box{n}@contoso.com", "Connected", "NeedsConsent", $"reason {n}", DateTimeOffset.UnixEpoch.AddMinutes(n)).ToJson();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Events_read_back_newest_first_with_their_fields(string store)
    {
        var journal = Create(store);

        await journal.AppendAsync([Event(1), Event(2)], Ct);
        await journal.AppendAsync([Event(3)], Ct);

        var read = await journal.ReadAsync(10, Ct);
        Assert.Equal(["box3@contoso.com", "box2@contoso.com", "box1@contoso.com"], read.Select(e => e.Mailbox));
        Assert.Equal("reason 3", read[0].Reason);
        Assert.Equal(BrokerEvent.StateChangedType, read[0].Type);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Only_the_newest_events_up_to_the_capacity_are_kept(string store)
    {
        var journal = Create(store);

        await journal.AppendAsync(Enumerable.Range(1, IEventJournal.Capacity + 20).Select(Event), Ct);

        var read = await journal.ReadAsync(IEventJournal.Capacity + 100, Ct);
        Assert.Equal(IEventJournal.Capacity, read.Count);
        Assert.Equal($"box{IEventJournal.Capacity + 20}@contoso.com", read[0].Mailbox);
        Assert.Equal("box21@contoso.com", read[^1].Mailbox);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Text_that_is_no_event_is_not_kept(string store)
    {
        var journal = Create(store);

        await journal.AppendAsync(["{\"no\": \"type\"}", "[1,2]", Event(7)], Ct);

        Assert.Equal(["box7@contoso.com"], (await journal.ReadAsync(10, Ct)).Select(e => e.Mailbox));
    }
}
