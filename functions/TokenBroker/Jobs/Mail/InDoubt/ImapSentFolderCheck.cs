using TokenBroker.Jobs.Fetch;
using TokenBroker.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Mail.InDoubt;

/// <summary>
/// Searches the Sent folder over IMAP with the mailbox's own token: Exchange Online keeps a copy of every message
/// submitted over SMTP AUTH there, so a Message-ID found in it was accepted. Read-only (EXAMINE): it changes no flag.
/// </summary>
public sealed class ImapSentFolderCheck(MailServers? servers, InDoubtOptions options) : ISentFolderCheck
{
    private static readonly string[] ConventionalNames = ["Sent Items", "Sent"];

    public async Task<SentFolderSearch> FindAsync(Mailbox mailbox, MailboxAccessToken token, string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(token);
        if (servers is null)
            return SentFolderSearch.Unverifiable("no IMAP server is configured (Mail:Imap)");
        if (!mailbox.Protocols.HasFlag(MailProtocols.Imap))
            return SentFolderSearch.Unverifiable($"{mailbox.Address} was not consented for IMAP, so its Sent folder cannot be searched");
        if (messageId.AsSpan().IndexOfAny("\"\\\r\n") >= 0)
            throw new ArgumentException($"'{messageId}' cannot be searched for: it holds a quote, a backslash or a line break.", nameof(messageId));

        var endpoint = servers.Imap;
        try
        {
            return await SearchAsync(mailbox, new MailLogin(token.User, token.AccessToken, servers.Mechanism), messageId, cancellationToken).ConfigureAwait(false);
        }
        catch (MailAuthenticationException refused) when (!refused.IsTransient)
        {
            return SentFolderSearch.Unverifiable($"the IMAP server refused {mailbox.Address}'s token ({refused.Message})");
        }
        catch (MailCommandException refused) when (refused is not MailThrottledException)
        {
            return SentFolderSearch.Unverifiable($"the IMAP server refused the search ({refused.ServerReply})");
        }
    }

    private async Task<SentFolderSearch> SearchAsync(Mailbox mailbox, MailLogin login, string messageId, CancellationToken cancellationToken)
    {
        await using var session = await ImapSession.OpenAsync(servers!.Imap, servers.ClientOptions, login, cancellationToken).ConfigureAwait(false);
        var folder = await session.FindFolderAsync(options.SentFolder, ConventionalNames).ConfigureAwait(false);
        if (folder is null)
            return SentFolderSearch.Unverifiable($"{mailbox.Address} has no folder marked \\Sent nor one named {string.Join(" or ", ConventionalNames.Select(n => $"\"{n}\""))} (set Mail:InDoubt:SentFolder)");
        var found = await session.SearchHeaderAsync(folder, "Message-ID", messageId).ConfigureAwait(false);
        await session.CloseAsync().ConfigureAwait(false);
        return found > 0 ? SentFolderSearch.Found(folder) : SentFolderSearch.NotFound(folder);
    }
}
