using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>
    /// Moves messages: UID MOVE when the server advertises MOVE; otherwise UID COPY, then
    /// +FLAGS (\Deleted) and UID EXPUNGE (UIDPLUS) or, lacking that, EXPUNGE (which also removes
    /// any other message already flagged \Deleted in the mailbox).
    /// </summary>
    public async Task UidMoveAsync(string uidSet, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidSet);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (HasCapability("MOVE"))
        {
            var command = new ImapCommand("UID MOVE").Raw(uidSet).Mailbox(destination, utf8Accepted: false);
            await ExecuteAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        await UidCopyAsync(uidSet, destination, cancellationToken).ConfigureAwait(false);
        await UidStoreFlagsAsync(uidSet, ImapStoreMode.Add, ["\\Deleted"], cancellationToken).ConfigureAwait(false);
        if (HasCapability("UIDPLUS")) await UidExpungeAsync(uidSet, cancellationToken).ConfigureAwait(false);
        else await ExpungeAsync(cancellationToken).ConfigureAwait(false);
    }
}
