using TokenBroker.Jobs.Ledger;
using TokenBroker.Mail.Fetch;

namespace TokenBroker.Jobs.Fetch;

/// <summary>Translates between the ledger's stored checkpoint and the mail library's.</summary>
internal static class CheckpointMapping
{
    public static MailCheckpoint? ToMail(FetchCheckpoint? stored, bool imap, string folder)
    {
        if (stored is null) return null;
        if (!imap) return new Pop3Checkpoint(new HashSet<string>(stored.Pop3Uidls, StringComparer.Ordinal));
        return stored.UidValidity is { } validity && stored.LastUid is { } lastUid
            ? new ImapCheckpoint(folder, checked((uint)validity), checked((uint)lastUid))
            : null;
    }

    public static FetchCheckpoint ToStored(MailCheckpoint checkpoint, DateTimeOffset now) => checkpoint switch
    {
        ImapCheckpoint imap => new FetchCheckpoint(imap.UidValidity, imap.LastUid, [], now),
        // Only UIDLs still on the server are in the library's checkpoint, so the stored list stays bounded.
        Pop3Checkpoint pop3 => new FetchCheckpoint(null, null, pop3.DeliveredUidls.Order(StringComparer.Ordinal).ToList(), now),
        _ => throw new ArgumentException($"Unknown checkpoint type {checkpoint.GetType().Name}.", nameof(checkpoint)),
    };

    public static bool SamePosition(FetchCheckpoint? a, FetchCheckpoint b) =>
        a is not null && a.UidValidity == b.UidValidity && a.LastUid == b.LastUid && a.Pop3Uidls.SequenceEqual(b.Pop3Uidls);
}
