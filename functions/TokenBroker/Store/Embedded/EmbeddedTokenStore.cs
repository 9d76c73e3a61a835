using Microsoft.AspNetCore.DataProtection;

namespace TokenBroker.Store.Embedded;

/// <summary>
/// The token store for standalone runs: one SQLite file plus a DataProtection key ring, both in the data folder.
/// Dispose it to close the database.
/// </summary>
public sealed class EmbeddedTokenStore : IAsyncDisposable, IDisposable
{
    private const string ApplicationName = "TokenBroker.Store";

    public EmbeddedTokenStore(EmbeddedTokenStoreOptions options)
        : this(options, CreateProtectionProvider(options))
    {
    }

    /// <param name="protection">Encrypts the stored payloads; its key ring must survive restarts, or the store becomes unreadable.</param>
    public EmbeddedTokenStore(EmbeddedTokenStoreOptions options, IDataProtectionProvider protection)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(protection);
        CreatePrivateDirectory(options.DataDirectory);
        Database = new EmbeddedStoreDatabase(options.DatabasePath, protection, options.BusyTimeout);
        Mailboxes = new EmbeddedMailboxRegistry(Database);
        TokenCaches = new EmbeddedTokenCacheStore(Database);
        Secrets = new EmbeddedBrokerSecrets(Database);
    }

    public IMailboxRegistry Mailboxes { get; }

    public ITokenCacheStore TokenCaches { get; }

    public IBrokerSecrets Secrets { get; }

    internal EmbeddedStoreDatabase Database { get; }

    public void Dispose() => Database.Dispose();

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    /// <summary>
    /// A key ring of the store's own in the data folder, separate from any the web app uses. On Linux the key files
    /// are not encrypted at rest (no DPAPI): the folder's permissions are what protects them.
    /// </summary>
    private static IDataProtectionProvider CreateProtectionProvider(EmbeddedTokenStoreOptions options)
    {
        CreatePrivateDirectory(options.DataDirectory);
        CreatePrivateDirectory(options.KeysDirectory);
        return DataProtectionProvider.Create(new DirectoryInfo(options.KeysDirectory),
            builder => builder.SetApplicationName(ApplicationName));
    }

    private static void CreatePrivateDirectory(string path) => TokenBroker.Sqlite.PrivateFiles.CreateFolder(path);
}
