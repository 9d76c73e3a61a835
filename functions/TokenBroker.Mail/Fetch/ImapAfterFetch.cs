using MailKit;
using MailKit.Net.Imap;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// What happens to delivered IMAP messages: \Seen set, or moved. MailKit moves with UID MOVE when offered and
/// otherwise copies, flags \Deleted and UID EXPUNGEs (UIDPLUS); without UIDPLUS a plain EXPUNGE finishes the
/// move (it also removes any other message already flagged \Deleted in the folder, as before).
/// </summary>
internal static class ImapAfterFetch
{
    public static async Task ApplyAsync(FetchSession<ImapClient> session, IMailFolder folder, IList<UniqueId> delivered)
    {
        var allowance = FetchSession<ImapClient>.ProtocolAllowance + delivered.Count * 1024L;
        switch (session.Options.AfterFetch)
        {
            case AfterFetchAction.MarkSeen:
                await session.RunAsync("UID STORE", allowance,
                    token => folder.StoreAsync(delivered, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true }, token)).ConfigureAwait(false);
                break;
            case AfterFetchAction.MoveToFolder:
                var destination = await session.RunAsync("LIST", allowance,
                    token => ImapFolders.GetAsync(session.Client, session.Options.MoveToFolder!, token)).ConfigureAwait(false);
                var capabilities = session.Client.Capabilities;
                await session.RunAsync(capabilities.HasFlag(ImapCapabilities.Move) ? "UID MOVE" : "UID COPY", allowance,
                    token => folder.MoveToAsync(delivered, destination, token)).ConfigureAwait(false);
                if (!capabilities.HasFlag(ImapCapabilities.Move) && !capabilities.HasFlag(ImapCapabilities.UidPlus))
                    await session.RunAsync("EXPUNGE", allowance, token => folder.ExpungeAsync(token)).ConfigureAwait(false);
                break;
        }
    }
}
