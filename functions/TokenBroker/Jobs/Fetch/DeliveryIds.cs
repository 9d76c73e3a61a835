using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Jobs.Fetch;

/// <summary>
/// The stable name of one fetched message: the same message fetched again (a crash between the sink's acceptance and
/// the checkpoint save) gets the same id, so the receiver (webhook) or the Maildir sink can absorb the redelivery.
/// Lower-case hex, so it is also a safe file name.
/// </summary>
public static class DeliveryIds
{
    public static string ForImap(string mailbox, string folder, long uidValidity, long uid) =>
        Hash(string.Create(CultureInfo.InvariantCulture, $"imap\n{mailbox.ToLowerInvariant()}\n{folder}\n{uidValidity}\n{uid}"));

    public static string ForPop3(string mailbox, string uidl) =>
        Hash($"pop3\n{mailbox.ToLowerInvariant()}\n{uidl}");

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 20));
}
