namespace TokenBroker.Queues;

/// <summary>
/// Azure's queue naming rules (3-63 characters of lowercase letters, digits and single inner hyphens),
/// checked by every transport so that a name accepted standalone is also valid in Azure.
/// </summary>
public static class QueueNames
{
    public static string Validate(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        if (!IsValid(queueName))
            throw new ArgumentException(
                $"'{queueName}' is not a valid queue name: use 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, no double hyphens.",
                nameof(queueName));
        return queueName;
    }

    public static bool IsValid(string queueName)
    {
        if (queueName.Length is < 3 or > 63) return false;
        if (queueName[0] == '-' || queueName[^1] == '-' || queueName.Contains("--", StringComparison.Ordinal)) return false;
        foreach (var c in queueName)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return false;
        }
        return true;
    }
}
