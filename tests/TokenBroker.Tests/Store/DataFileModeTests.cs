using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Queues;
using TokenBroker.Store;

namespace TokenBroker.Tests.Store;

/// <summary>What the broker writes into its data directory is readable by its own user only: folders 0700, files 0600.</summary>
public sealed class DataFileModeTests : IDisposable
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _parent = Directory.CreateTempSubdirectory("tokenbroker-modes-").FullName;
    private string Data => Path.Combine(_parent, "data");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_parent, recursive: true);

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Broker:DataDirectory"] = Data,
            ["TokenStore:DataDirectory"] = Data,
            ["Ledger:Kind"] = "Sqlite",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddEmbeddedTokenStore(configuration);
        services.AddMailLedger(configuration);
        return services.BuildServiceProvider();
    }

    private static void AssertPrivate(string path, UnixFileMode mode) =>
        Assert.True(File.GetUnixFileMode(path) == mode, $"{path} is {File.GetUnixFileMode(path)}, expected {mode}");

    [Fact]
    public async Task The_embedded_store_creates_its_data_folder_0700_and_its_database_files_0600()
    {
        await using (var services = Services())
            await services.GetRequiredService<IMailboxRegistry>().ListAsync(Ct);

        AssertPrivate(Data, PrivateFolder);
        var files = Directory.GetFiles(Data, "*.db*");
        Assert.NotEmpty(files);
        Assert.All(files, file => AssertPrivate(file, PrivateFile));
    }

    [Fact]
    public async Task The_sqlite_ledger_database_and_its_wal_files_are_0600()
    {
        await using (var services = Services())
            await services.GetRequiredService<IMailLedger>().FindSentAsync("a@example.com", "id-1", Ct);

        var ledger = Path.Combine(Data, SqliteMailLedgerOptions.DefaultFileName);
        Assert.True(File.Exists(ledger));
        Assert.All(Directory.GetFiles(Data, SqliteMailLedgerOptions.DefaultFileName + "*"), file => AssertPrivate(file, PrivateFile));
    }

    [Fact]
    public async Task The_sqlite_queue_creates_its_folder_0700_and_database_files_0600_where_queued_bodies_live()
    {
        var path = Path.Combine(Data, "queues", "queues.db");
        await using (var queues = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = path }))
        {
            await queues.CreateIfNotExistsAsync("mail-requests", Ct);
            await queues.SendAsync("mail-requests", "{\"secret\":\"body\"}", cancellationToken: Ct);
            Assert.All(Directory.GetFiles(Path.GetDirectoryName(path)!), file => AssertPrivate(file, PrivateFile));
        }

        AssertPrivate(Data, PrivateFolder);
        AssertPrivate(Path.GetDirectoryName(path)!, PrivateFolder);
        AssertPrivate(path, PrivateFile);
    }

    [Fact]
    public async Task A_queue_database_left_world_readable_by_an_earlier_version_is_tightened_on_open()
    {
        var path = Path.Combine(_parent, "queues.db");
        await using (var first = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = path }))
            await first.CreateIfNotExistsAsync("mail-requests", Ct);
        File.SetUnixFileMode(path, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await using (var reopened = new SqliteQueueTransport(new SqliteQueueOptions { DatabasePath = path }))
            await reopened.CreateIfNotExistsAsync("mail-requests", Ct);

        AssertPrivate(path, PrivateFile);
    }
}
