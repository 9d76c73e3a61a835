using System.Text;
using Microsoft.Data.Sqlite;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Jobs.Ledger;

/// <summary>The ledger contract on a SQLite file, plus what only the file-based ledger promises: several processes, purge.</summary>
public sealed class SqliteMailLedgerTests : MailLedgerContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-tests-").FullName;

    private string DatabasePath => Path.Combine(_directory, "ledger.db");

    protected override IMailLedger CreateLedger() => Create();

    private SqliteMailLedger Create(TimeProvider? time = null, int retentionDays = 30) =>
        new(new SqliteMailLedgerOptions { DatabasePath = DatabasePath, SentRetentionDays = retentionDays }, time);

    protected override async Task<string> DumpStorageAsync()
    {
        await DisposeLedgersAsync();
        SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(_directory).SelectMany(File.ReadAllBytes).ToArray();
        return Encoding.Latin1.GetString(bytes);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Concurrent_records_of_one_key_from_two_instances_leave_exactly_one_winner()
    {
        await using var first = Create();
        await using var second = Create();
        var candidates = Enumerable.Range(1, 40).Select(i => Sent("race", recipients: i)).ToList();

        await Task.WhenAll(candidates.Select((record, i) => Task.Run(() => (i % 2 == 0 ? first : second).RecordSentAsync(Alice, "race", record, Ct), Ct)));

        var seenByFirst = await first.FindSentAsync(Alice, "race", Ct);
        Assert.Contains(seenByFirst, candidates);
        Assert.Equal(seenByFirst, await second.FindSentAsync(Alice, "race", Ct));
        Assert.Equal(1L, CountRows("sent_records"));
    }

    [Fact]
    public async Task Concurrent_checkpoint_saves_from_the_same_version_let_exactly_one_succeed()
    {
        await using var first = Create();
        await using var second = Create();
        var start = await first.SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(1), null, Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await (i % 2 == 0 ? first : second).SaveCheckpointAsync(Alice, "imap", "INBOX", ImapAt(100 + i), start.Version, Ct);
                return true;
            }
            catch (TokenBroker.Store.StoreConcurrencyException)
            {
                return false;
            }
        }, Ct)));

        Assert.Single(outcomes, succeeded => succeeded);
    }

    [Fact]
    public async Task Sent_records_older_than_the_retention_are_purged_on_a_later_write()
    {
        var clock = new ManualTimeProvider();
        await using var ledger = Create(clock, retentionDays: 30);
        await ledger.RecordSentAsync(Alice, "old", Sent("old"), Ct);

        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await ledger.RecordSentAsync(Alice, "new", Sent("new"), Ct);

        Assert.Null(await ledger.FindSentAsync(Alice, "old", Ct));
        Assert.NotNull(await ledger.FindSentAsync(Alice, "new", Ct));
    }

    [Fact]
    public async Task Send_attempts_older_than_the_retention_are_purged_with_the_sent_records()
    {
        var clock = new ManualTimeProvider();
        await using var ledger = Create(clock, retentionDays: 30);
        await ledger.RecordAttemptAsync(Alice, "old", new SendAttempt(Sent("old").MessageId, clock.GetUtcNow()), Ct);

        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await ledger.RecordSentAsync(Alice, "new", Sent("new"), Ct);

        Assert.Null(await ledger.FindAttemptAsync(Alice, "old", Ct));
    }

    [Fact]
    public async Task Sent_records_within_the_retention_are_kept()
    {
        var clock = new ManualTimeProvider();
        await using var ledger = Create(clock, retentionDays: 30);
        await ledger.RecordSentAsync(Alice, "recent", Sent("recent"), Ct);

        clock.Advance(TimeSpan.FromDays(29));
        await ledger.RecordSentAsync(Alice, "newer", Sent("newer"), Ct);

        Assert.NotNull(await ledger.FindSentAsync(Alice, "recent", Ct));
    }

    [Fact]
    public async Task The_purge_runs_at_most_once_an_hour()
    {
        var clock = new ManualTimeProvider();
        await using var ledger = Create(clock, retentionDays: 30);
        await ledger.RecordSentAsync(Alice, "aging", Sent("aging"), Ct);
        clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(30));
        await ledger.RecordSentAsync(Alice, "w1", Sent("w1"), Ct); // purges; "aging" is not old enough yet

        clock.Advance(TimeSpan.FromMinutes(45));
        await ledger.RecordSentAsync(Alice, "w2", Sent("w2"), Ct); // "aging" is now too old, but the last purge was 45 min ago
        var keptWithinTheHour = await ledger.FindSentAsync(Alice, "aging", Ct);
        clock.Advance(TimeSpan.FromMinutes(20));
        await ledger.RecordSentAsync(Alice, "w3", Sent("w3"), Ct);

        Assert.NotNull(keptWithinTheHour);
        Assert.Null(await ledger.FindSentAsync(Alice, "aging", Ct));
    }

    [Fact]
    public async Task The_database_uses_write_ahead_logging()
    {
        await using var ledger = Create();

        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public void A_retention_below_one_day_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Create(retentionDays: 0));

        Assert.Contains("Ledger:Sqlite:SentRetentionDays", error.Message);
    }

    private long CountRows(string table)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table};";
        return (long)command.ExecuteScalar()!;
    }
}
