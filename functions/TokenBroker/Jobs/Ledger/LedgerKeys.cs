using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Jobs.Ledger;

/// <summary>
/// The names the ledgers store things under: hashes, so neither a blob listing nor the SQLite file reveals a mail
/// address or an idempotency key (which callers may build from addresses).
/// </summary>
internal static class LedgerKeys
{
    public static string Mailbox(string mailbox) => Hash(NormalizeMailbox(mailbox));

    public static string IdempotencyKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        return Hash(idempotencyKey);
    }

    /// <summary>One checkpoint per mailbox, protocol and folder.</summary>
    public static string Checkpoint(string mailbox, string protocol, string folder) =>
        Hash($"{NormalizeMailbox(mailbox)}\n{NormalizeProtocol(protocol)}\n{NormalizeFolder(folder)}");

    public static string NormalizeMailbox(string mailbox)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mailbox);
        return mailbox.Trim().ToLowerInvariant();
    }

    public static string NormalizeProtocol(string protocol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(protocol);
        return protocol.Trim().ToLowerInvariant();
    }

    // IMAP folder names are case-sensitive except INBOX (RFC 3501 5.1).
    public static string NormalizeFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : folder;
    }

    public static string Hash(string value) => LowerBase32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
