using System.Text;

namespace TokenBroker.Queues;

/// <summary>
/// Limits Azure Storage queues impose, applied by every transport so that what works standalone also
/// works in Azure: the 64 KiB limit counts the base64 text on the wire (about 48 KiB of UTF-8 payload).
/// </summary>
public static class QueueMessageLimits
{
    public const int MaxEncodedBytes = 64 * 1024;

    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromDays(7);

    /// <summary>Azure's longest visibility timeout or delay: 7 days.</summary>
    public static readonly TimeSpan MaxVisibilityTimeout = TimeSpan.FromDays(7);

    public static int EncodedLength(string messageText) => (Encoding.UTF8.GetByteCount(messageText) + 2) / 3 * 4;

    internal static void EnsureFits(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        var encoded = EncodedLength(messageText);
        if (encoded > MaxEncodedBytes) throw new QueueMessageTooLargeException(encoded, MaxEncodedBytes);
    }

    internal static void EnsureVisibility(TimeSpan value, string parameterName)
    {
        if (value < TimeSpan.Zero || value > MaxVisibilityTimeout)
            throw new ArgumentOutOfRangeException(parameterName, value, "A visibility timeout or delay must be between 0 and 7 days.");
    }

    internal static void EnsureBatchSize(int maxMessages)
    {
        if (maxMessages is < 1 or > 32)
            throw new ArgumentOutOfRangeException(nameof(maxMessages), maxMessages, "Between 1 and 32 messages can be received at once (the Azure limit).");
    }
}
