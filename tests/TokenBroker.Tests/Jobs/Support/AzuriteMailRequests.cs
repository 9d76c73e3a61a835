namespace TokenBroker.Tests.Jobs.Support;

/// <summary>
/// Tests whose broker works the product's own queue names (mail-requests, broker-events) on Azure Storage: they share
/// Azurite's queues, so they run one after the other, never taking each other's messages.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteMailRequests
{
    public const string Name = "Azurite mail-requests";
}
