namespace TokenBroker.Store;

/// <summary>
/// Someone else changed the item since it was read, so this write did not take effect (nothing was written, or
/// on Key Vault a racing writer's version landed on top of it): re-read, re-apply the change, retry.
/// </summary>
public sealed class StoreConcurrencyException(string item, string? expectedVersion, string? actualVersion)
    : InvalidOperationException(
        $"{item} was changed concurrently: expected version {expectedVersion ?? "(none: must not exist)"}, found {actualVersion ?? "(none: does not exist)"}.")
{
    /// <summary>What was being written, e.g. "Mailbox alice@contoso.com" or "Token cache 'oid.tid'".</summary>
    public string Item { get; } = item;

    public string? ExpectedVersion { get; } = expectedVersion;

    /// <summary>The version found in the store; null when the item does not exist.</summary>
    public string? ActualVersion { get; } = actualVersion;
}
