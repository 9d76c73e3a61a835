using TokenBroker.Bridge;
using TokenBroker.Bridge.Reports;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Tests.Jobs.Ledger;

namespace TokenBroker.Tests.Bridge.Reports;

/// <summary>Remote bridges' reports on both stores: files in the data folder, and the blob ledger's container on Azurite.</summary>
public sealed class BridgeReportsStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset At = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores => ["folder", "blob"];

    private static IBridgeReports Create(string store) => store == "folder"
        ? new FolderBridgeReports(Directory.CreateTempSubdirectory("tokenbroker-bridge-reports-").FullName)
        : new BlobBridgeReports(new AzureBlobMailLedger(AzureBlobMailLedgerTests.Azurite,
            new AzureBlobMailLedgerOptions { ContainerName = "bridges-" + Guid.NewGuid().ToString("N")[..16], MaxRetries = 1 }).Container);

    private static RemoteBridgeReport Report(string name, long messages) =>
        new(name, At.AddMinutes(messages), [new BridgeCounters("printer", "scans@contoso.com", "smtp", 1, messages, 0)]);

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_saved_report_reads_back_with_its_name_time_and_counters(string store)
    {
        var reports = Create(store);

        Assert.True(await reports.SaveAsync(Report("branch/bridge: 1", 5), Ct));

        var read = Assert.Single(await reports.ReadAllAsync(Ct));
        Assert.Equal("branch/bridge: 1", read.Name);
        Assert.Equal(At.AddMinutes(5), read.At);
        Assert.Equal(new BridgeCounters("printer", "scans@contoso.com", "smtp", 1, 5, 0), Assert.Single(read.Counters));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Each_bridge_keeps_only_its_latest_report(string store)
    {
        var reports = Create(store);

        await reports.SaveAsync(Report("north", 1), Ct);
        await reports.SaveAsync(Report("south", 2), Ct);
        await reports.SaveAsync(Report("north", 3), Ct);

        var read = (await reports.ReadAllAsync(Ct)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["north", "south"], read.Select(r => r.Name));
        Assert.Equal(3, read[0].Counters[0].Messages);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_bridge_beyond_the_limit_is_refused_while_known_ones_still_report(string store)
    {
        var reports = Create(store);
        for (var i = 0; i < IBridgeReports.MaxBridges; i++) Assert.True(await reports.SaveAsync(Report($"bridge-{i}", 1), Ct));

        Assert.False(await reports.SaveAsync(Report("one-too-many", 1), Ct));
        Assert.True(await reports.SaveAsync(Report("bridge-7", 2), Ct));

        var read = await reports.ReadAllAsync(Ct);
        Assert.Equal(IBridgeReports.MaxBridges, read.Count);
        Assert.DoesNotContain(read, r => r.Name == "one-too-many");
    }

    [Fact]
    public async Task A_torn_report_file_is_skipped_and_the_others_still_read()
    {
        var folder = Directory.CreateTempSubdirectory("tokenbroker-bridge-reports-").FullName;
        var reports = new FolderBridgeReports(folder);
        await reports.SaveAsync(Report("north", 1), Ct);
        await File.WriteAllTextAsync(Path.Combine(folder, FolderBridgeReports.FolderName, "0123456789abcdef0123456789abcdef.json"), "{\"name\":\"half", Ct);

        var read = Assert.Single(await reports.ReadAllAsync(Ct));

        Assert.Equal("north", read.Name);
    }

    [Fact]
    public async Task Report_files_are_readable_by_the_brokers_user_only()
    {
        var folder = Directory.CreateTempSubdirectory("tokenbroker-bridge-reports-").FullName;
        await new FolderBridgeReports(folder).SaveAsync(Report("north", 1), Ct);

        var file = Assert.Single(Directory.GetFiles(Path.Combine(folder, FolderBridgeReports.FolderName)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }
}
