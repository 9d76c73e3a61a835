using TokenBroker.Jobs.Fetch;
using TokenBroker.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.Mail.Imap;
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
            await using var client = await ImapClient.ConnectAsync(endpoint, servers.ClientOptions, cancellationToken).ConfigureAwait(false);
            await client.AuthenticateAsync(new MailLogin(token.User, token.AccessToken, servers.Mechanism).CreateMechanism(endpoint), cancellationToken).ConfigureAwait(false);
            var folder = await FindSentFolderAsync(client, cancellationToken).ConfigureAwait(false);
            if (folder is null)
                return SentFolderSearch.Unverifiable($"{mailbox.Address} has no folder marked \\Sent nor one named {string.Join(" or ", ConventionalNames.Select(n => $"\"{n}\""))} (set Mail:InDoubt:SentFolder)");
            await client.SelectAsync(folder, readOnly: true, cancellationToken).ConfigureAwait(false);
            var found = await client.UidSearchAsync($"HEADER Message-ID \"{messageId}\"", cancellationToken).ConfigureAwait(false);
            await client.LogoutAsync(cancellationToken).ConfigureAwait(false);
            return found.Count > 0 ? SentFolderSearch.Found(folder) : SentFolderSearch.NotFound(folder);
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

    private async Task<string?> FindSentFolderAsync(ImapClient client, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.SentFolder)) return options.SentFolder;
        var folders = await client.ListAsync("", "*", cancellationToken).ConfigureAwait(false);
        return folders.FirstOrDefault(f => f.Attributes.Contains("\\Sent", StringComparer.OrdinalIgnoreCase))?.Name
            ?? ConventionalNames.Select(name => folders.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Name)
                .FirstOrDefault(name => name is not null);
    }
}
