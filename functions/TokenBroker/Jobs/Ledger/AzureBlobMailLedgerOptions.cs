using TokenBroker.StorageAccount;

namespace TokenBroker.Jobs.Ledger;

/// <summary>Settings of the Azure Blob ledger (section "Ledger:AzureBlob"); request time limit and retries as for the queue transport.</summary>
public sealed class AzureBlobMailLedgerOptions : StorageRequestOptions
{
    public const string DefaultContainerName = "tokenbroker-ledger";
    public const string SectionName = "Ledger:AzureBlob";

    /// <summary>The container holding the ledger; created when missing.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;

    /// <summary>Sent records last written more than this many days ago are deleted (a redelivery arrives within the queue's 7-day TTL).</summary>
    public int SentRetentionDays { get; set; } = 30;

    /// <summary>The purge runs on a write at most this often per process. A container lifecycle rule can do it instead: then set it very long.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        Validate(SectionName);
        if (SentRetentionDays < 1)
            throw new InvalidOperationException($"Setting 'Ledger:AzureBlob:SentRetentionDays' is {SentRetentionDays}; it must be at least 1.");
        if (PurgeInterval < TimeSpan.Zero)
            throw new InvalidOperationException("Setting 'Ledger:AzureBlob:PurgeInterval' must not be negative.");
        // Container names: 3-63 characters, lower-case letters, digits and single hyphens, starting and ending alphanumeric.
        var name = ContainerName ?? "";
        var valid = name.Length is >= 3 and <= 63
                    && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
                    && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
                    && !name.Contains("--", StringComparison.Ordinal);
        if (!valid)
            throw new InvalidOperationException(
                $"Setting 'Ledger:AzureBlob:ContainerName' is '{ContainerName}'; a container name has 3-63 lower-case letters, digits and single hyphens.");
    }
}
