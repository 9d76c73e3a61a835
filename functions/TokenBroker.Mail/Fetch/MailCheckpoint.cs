using System.Globalization;

namespace TokenBroker.Mail.Fetch;

/// <summary>Where the last fetch stopped; only messages after it are delivered next time.</summary>
public abstract record MailCheckpoint;

/// <summary>
/// IMAP: the folder, its UIDVALIDITY and the highest UID whose delivery completed. A different
/// UIDVALIDITY means the server renumbered the folder and <see cref="LastUid"/> no longer means anything.
/// A <see cref="UidValidity"/> of 0 means "not known" (a UID given by hand): the folder's current one is assumed.
/// </summary>
public sealed record ImapCheckpoint(string Folder, uint UidValidity, uint LastUid) : MailCheckpoint
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"folder={Folder} uidvalidity={UidValidity} last-uid={LastUid}");
}

/// <summary>POP3: the UIDLs already delivered (POP3 has no order to resume from, only identities).</summary>
public sealed record Pop3Checkpoint(IReadOnlySet<string> DeliveredUidls) : MailCheckpoint
{
    public static Pop3Checkpoint Empty { get; } = new(new HashSet<string>(StringComparer.Ordinal));

    public override string ToString() => $"uidls={string.Join(',', DeliveredUidls.Order(StringComparer.Ordinal))}";
}
