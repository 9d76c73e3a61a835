using MailKit;
using MailKit.Net.Imap;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// Fetches new messages from one IMAP folder over MailKit: lists the UIDs above the checkpoint with their
/// sizes (filtering the last message "n:*" always matches), fetches them in batches with BODY.PEEK[]
/// (<see cref="ImapFetchRun"/>), hands each to the caller in UID order, then applies the after-fetch action.
/// </summary>
public sealed class ImapMailFetcher(MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions? options = null)
    : ProtocolMailFetcher<ImapCheckpoint>(MailProtocol.Imap, endpoint, clientOptions, login, options)
{
    // No INTERNALDATE: no sink uses it, and MailKit parsing it cost ~8 ms per 1,000 listed messages (imap-fetch benchmark).
    private const MessageSummaryItems ListedItems = MessageSummaryItems.UniqueId | MessageSummaryItems.Size;

    private protected override async Task<MailFetchResult> FetchCheckedAsync(
        ImapCheckpoint? previous,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint,
        CancellationToken cancellationToken)
    {
        await using var session = await FetchSession<ImapClient>.OpenAsync(
            MailKitConnector.CreateImap(ClientOptions), MailProtocol.Imap, Endpoint, ClientOptions, Login, Options, cancellationToken).ConfigureAwait(false);
        var folder = await OpenFolderAsync(session).ConfigureAwait(false);

        var sameFolder = previous is not null && string.Equals(previous.Folder, Options.Folder, StringComparison.Ordinal);
        var validityChanged = sameFolder && previous!.UidValidity != 0 && previous.UidValidity != folder.UidValidity;
        var lastUid = sameFolder && !validityChanged ? previous!.LastUid : 0u;
        var listed = await ListAfterAsync(session, folder, lastUid, Options.IncludeFlags ? ListedItems | MessageSummaryItems.Flags : ListedItems).ConfigureAwait(false);

        if (validityChanged && Options.OnUidValidityChanged != UidValidityChangeAction.RefetchAll)
        {
            var uidNext = folder.UidNext?.Id ?? 1;
            var kept = Options.OnUidValidityChanged == UidValidityChangeAction.Stop
                ? previous!
                : new ImapCheckpoint(Options.Folder, folder.UidValidity, listed.Count > 0 ? listed[^1].UniqueId.Id : Math.Max(uidNext, 1) - 1);
            await session.CloseAsync(mustSucceed: false).ConfigureAwait(false);
            return new MailFetchResult(kept, 0, 0, Options.OnUidValidityChanged == UidValidityChangeAction.Stop ? listed.Count : 0, true, previous!.UidValidity);
        }

        var run = new ImapFetchRun(session, folder, onMessage, onCheckpoint, lastUid);
        var selected = listed.Take(Options.MaxMessages).ToList();
        await run.FetchAsync(selected).ConfigureAwait(false);

        await session.CloseAsync(mustSucceed: false).ConfigureAwait(false);
        return new MailFetchResult(run.Checkpoint, run.DeliveredCount, run.DeliveredBytes, listed.Count - selected.Count,
            validityChanged, validityChanged ? previous!.UidValidity : null);
    }

    /// <summary>EXAMINE when nothing is changed afterwards, else SELECT; a missing folder fails with the server's words.</summary>
    private async Task<IMailFolder> OpenFolderAsync(FetchSession<ImapClient> session)
    {
        var folder = Options.Folder;
        var mailFolder = await session.RunAsync("LIST", FetchSession<ImapClient>.ProtocolAllowance,
            token => ImapFolders.GetAsync(session.Client, folder, token)).ConfigureAwait(false);
        var readOnly = Options.AfterFetch == AfterFetchAction.None;
        await session.RunAsync(readOnly ? "EXAMINE" : "SELECT", FetchSession<ImapClient>.ProtocolAllowance,
            token => mailFolder.OpenAsync(readOnly ? FolderAccess.ReadOnly : FolderAccess.ReadWrite, token)).ConfigureAwait(false);
        return mailFolder;
    }

    /// <summary>UID FETCH n:* (UID RFC822.SIZE [FLAGS]): the sizes decide the batches and refuse oversized messages before they are read.</summary>
    private static async Task<List<IMessageSummary>> ListAfterAsync(FetchSession<ImapClient> session, IMailFolder folder, uint lastUid, MessageSummaryItems items)
    {
        if (lastUid == uint.MaxValue || folder.Count == 0) return [];
        var range = new UniqueIdRange(new UniqueId(lastUid + 1), UniqueId.MaxValue);
        var summaries = await session.RunAsync($"UID FETCH {lastUid + 1}:*", FetchSession<ImapClient>.ProtocolAllowance + folder.Count * 1024L,
            token => folder.FetchAsync(range, items, token)).ConfigureAwait(false);
        return summaries.Where(s => s.UniqueId.Id > lastUid).DistinctBy(s => s.UniqueId.Id).OrderBy(s => s.UniqueId.Id).ToList();
    }
}
