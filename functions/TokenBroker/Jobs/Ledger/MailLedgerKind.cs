namespace TokenBroker.Jobs.Ledger;

/// <summary>Where the ledger lives.</summary>
public enum MailLedgerKind
{
    /// <summary>A SQLite file in Broker:DataDirectory (standalone).</summary>
    Sqlite,

    /// <summary>Blobs in the storage account of the Functions host (Azure).</summary>
    AzureBlob,
}
