using MailKit;
using MailKit.Net.Imap;

namespace TokenBroker.Mail.Fetch;

/// <summary>Finds a folder by name the MailKit way (INBOX is always there; any other name is LISTed).</summary>
internal static class ImapFolders
{
    public static async Task<IMailFolder> GetAsync(ImapClient client, string name, CancellationToken cancellationToken) =>
        string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase)
            ? client.Inbox
            : await client.GetFolderAsync(name, cancellationToken).ConfigureAwait(false);
}
