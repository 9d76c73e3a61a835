using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>SELECT (or EXAMINE when <paramref name="readOnly"/>): returns UIDVALIDITY, UIDNEXT and EXISTS.</summary>
    public async Task<ImapMailbox> SelectAsync(string mailbox, bool readOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(mailbox);
        var selected = new ImapMailbox(mailbox) { IsReadOnly = readOnly };
        SelectedMailbox = selected;
        try
        {
            var command = new ImapCommand(readOnly ? "EXAMINE" : "SELECT").Mailbox(mailbox, utf8Accepted: false);
            var completion = await ExecuteAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (completion.Code == "READ-ONLY") selected.IsReadOnly = true;
            else if (completion.Code == "READ-WRITE") selected.IsReadOnly = false;
            return selected;
        }
        catch
        {
            SelectedMailbox = null;
            throw;
        }
    }
}
