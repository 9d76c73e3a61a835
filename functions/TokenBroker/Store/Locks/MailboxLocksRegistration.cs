using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail.Governor.Shared;
using TokenBroker.StorageAccount;

namespace TokenBroker.Store.Locks;

/// <summary>
/// Chooses the Key Vault store's mailbox locks from TokenStore:MailboxLocks: AzureBlob (container
/// TokenStore:LockContainerName, default "mailbox-locks", in the ledger's storage account and connection) or None.
/// Empty: AzureBlob when the mail ledger is on Azure blobs (on Azure the Functions storage account is always there),
/// else None, and the keep-alive checks the version before its write (two reads instead of one).
/// </summary>
public static class MailboxLocksRegistration
{
    public const string Setting = TokenStoreServiceCollectionExtensions.SectionName + ":MailboxLocks";
    public const string ContainerSetting = TokenStoreServiceCollectionExtensions.SectionName + ":LockContainerName";
    public const string DefaultContainerName = "mailbox-locks";

    /// <summary>Checks the settings now (a bad one stops the start-up with its name); null when the store goes without locks.</summary>
    public static Func<TimeProvider, ILogger?, IMailboxLocks>? Resolve(IConfiguration configuration)
    {
        var kind = configuration[Setting]?.Trim().ToLowerInvariant() switch
        {
            null or "" => LedgerIsOnBlobs(configuration) ? "azureblob" : "none",
            "azureblob" => "azureblob",
            "none" => "none",
            var other => throw new InvalidOperationException($"Setting '{Setting}' is '{other}'; use 'AzureBlob' or 'None'."),
        };
        if (kind == "none") return null;
        var containerName = configuration[ContainerSetting] is { Length: > 0 } given ? given : DefaultContainerName;
        GovernorStateRegistration.ValidateContainer(containerName, ContainerSetting);
        var (connection, requests) = MailLedgerServiceCollectionExtensions.AzureBlobSettings(configuration);
        return (time, logger) =>
        {
            var clientOptions = StorageClientSetup.Configure(new BlobClientOptions(), requests, StorageService.Blob, httpClient: null, logger);
            return new BlobMailboxLocks(connection.CreateBlobServiceClient(clientOptions).GetBlobContainerClient(containerName), time);
        };
    }

    private static bool LedgerIsOnBlobs(IConfiguration configuration)
    {
        try
        {
            return MailLedgerServiceCollectionExtensions.ResolveKind(configuration) == MailLedgerKind.AzureBlob;
        }
        catch (InvalidOperationException)
        {
            return false; // no ledger to follow: the ledger's own check reports a bad setting
        }
    }
}
