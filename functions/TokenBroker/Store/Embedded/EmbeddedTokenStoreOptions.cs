namespace TokenBroker.Store.Embedded;

/// <summary>Settings of the embedded (standalone) token store (configuration section "TokenStore").</summary>
public sealed class EmbeddedTokenStoreOptions
{
    public const string SectionName = "TokenStore";

    /// <summary>
    /// Folder holding the SQLite file and the DataProtection key ring. Both are needed to read the tokens, so back
    /// them up together and keep the folder private (it is created with mode 0700 on Unix).
    /// </summary>
    public string DataDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "TokenBroker");

    public string DatabaseFileName { get; set; } = "token-store.db";

    /// <summary>Sub-folder of <see cref="DataDirectory"/> for the DataProtection key ring.</summary>
    public string KeysDirectoryName { get; set; } = "store-keys";

    /// <summary>How long a write waits for another process holding the database lock.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    internal string KeysDirectory => Path.Combine(DataDirectory, KeysDirectoryName);
}
