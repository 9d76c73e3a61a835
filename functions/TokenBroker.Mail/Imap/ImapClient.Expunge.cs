using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>EXPUNGE: removes every message flagged \Deleted in the selected mailbox.</summary>
    public Task ExpungeAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync(new ImapCommand("EXPUNGE"), cancellationToken: cancellationToken);

    /// <summary>UID EXPUNGE (UIDPLUS): removes only the given messages if they are flagged \Deleted.</summary>
    public Task UidExpungeAsync(string uidSet, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidSet);
        return ExecuteAsync(new ImapCommand("UID EXPUNGE").Raw(uidSet), cancellationToken: cancellationToken);
    }
}
