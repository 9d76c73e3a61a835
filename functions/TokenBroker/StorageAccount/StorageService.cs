namespace TokenBroker.StorageAccount;

/// <summary>The storage services TokenBroker talks to.</summary>
public enum StorageService
{
    Queue,
    Blob,
}

internal static class StorageServiceNames
{
    public static string Label(this StorageService service) => service switch
    {
        StorageService.Queue => "queue",
        StorageService.Blob => "blob",
        _ => service.ToString().ToLowerInvariant(),
    };

    /// <summary>The built-in Azure role an identity needs for the data operations TokenBroker makes.</summary>
    public static string DataContributorRole(this StorageService service) => service switch
    {
        StorageService.Queue => "Storage Queue Data Contributor",
        StorageService.Blob => "Storage Blob Data Contributor",
        _ => "Storage Account Contributor",
    };
}
