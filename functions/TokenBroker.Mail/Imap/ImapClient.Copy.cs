using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>UID COPY to another mailbox.</summary>
    public Task UidCopyAsync(string uidSet, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uidSet);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var command = new ImapCommand("UID COPY").Raw(uidSet).Mailbox(destination, utf8Accepted: false);
        return ExecuteAsync(command, cancellationToken: cancellationToken);
    }
}
