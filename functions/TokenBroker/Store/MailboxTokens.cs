using System.IO.Compression;

namespace TokenBroker.Store;

/// <summary>
/// The mailbox's own copy of its MSAL token cache (refresh token included), kept inside the mailbox record so that
/// the daily keep-alive reads and writes one item, not two. <see cref="Cache"/> is the MsalV3 serialization,
/// gzip-compressed (a Key Vault secret value holds at most 25 KB). It is current only while
/// <see cref="RefreshedAt"/> equals the record's <see cref="Mailbox.LastRefreshAt"/>: a consent writes a new
/// LastRefreshAt and its tokens to the token cache store, which then take precedence.
/// </summary>
public sealed record MailboxTokens(byte[] Cache, DateTimeOffset RefreshedAt)
{
    public static MailboxTokens Of(byte[] msalCache, DateTimeOffset refreshedAt)
    {
        ArgumentNullException.ThrowIfNull(msalCache);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(msalCache);
        return new MailboxTokens(buffer.ToArray(), refreshedAt);
    }

    public byte[] MsalCache()
    {
        using var gzip = new GZipStream(new MemoryStream(Cache), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    public bool IsCurrentFor(Mailbox mailbox) => mailbox.LastRefreshAt == RefreshedAt;

    /// <summary>Keeps the tokens out of anything that prints the record.</summary>
    public override string ToString() => $"MailboxTokens {{ RefreshedAt = {RefreshedAt:O}, Cache = *** ({Cache.Length} bytes) }}";
}
