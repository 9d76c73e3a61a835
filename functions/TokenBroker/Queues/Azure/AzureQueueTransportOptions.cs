using TokenBroker.StorageAccount;

namespace TokenBroker.Queues;

/// <summary>Settings of the Azure Storage queue transport (section "Queues:Azure" when bound from configuration).</summary>
public sealed class AzureQueueTransportOptions : StorageRequestOptions
{
    public const string SectionName = "Queues:Azure";

    /// <summary>How long a message lives when nobody deletes it (Azure's default: 7 days).</summary>
    public TimeSpan MessageTimeToLive { get; set; } = QueueMessageLimits.DefaultTimeToLive;

    internal void Validate()
    {
        Validate(SectionName);
        if (MessageTimeToLive <= TimeSpan.Zero)
            throw new InvalidOperationException($"Setting '{SectionName}:MessageTimeToLive' must be positive.");
    }
}
