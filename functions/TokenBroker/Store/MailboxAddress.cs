namespace TokenBroker.Store;

/// <summary>The registry key of a mailbox: its address, trimmed and lower-cased (SMTP addresses are compared case-insensitively here).</summary>
internal static class MailboxAddress
{
    public static string Normalize(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        var trimmed = address.Trim();
        if (!trimmed.Contains('@'))
            throw new ArgumentException($"'{trimmed}' is not a mailbox address (no '@').", nameof(address));
        return trimmed.ToLowerInvariant();
    }
}
