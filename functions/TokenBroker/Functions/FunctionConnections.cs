namespace TokenBroker.Functions;

/// <summary>The app setting (or setting prefix, identity-based) that names the storage account of every queue binding.</summary>
internal static class FunctionConnections
{
    public const string Storage = "AzureWebJobsStorage";
}
