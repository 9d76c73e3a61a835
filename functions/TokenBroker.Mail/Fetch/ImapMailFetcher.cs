using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// Fetches new messages from one IMAP folder: lists the UIDs above the checkpoint (filtering the last
/// message "n:*" always matches), fetches them in batches with BODY.PEEK[] streamed to a spool, hands
/// each to the caller in UID order, then applies the after-fetch action to the batch.
/// </summary>
public sealed class ImapMailFetcher(MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions? options = null)
    : ProtocolMailFetcher<ImapCheckpoint>(MailProtocol.Imap, endpoint, clientOptions, login, options)
{
    private protected override async Task<MailFetchResult> FetchCheckedAsync(
        ImapCheckpoint? previous,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint,
        CancellationToken cancellationToken)
    {
        await using var client = await ImapClient.ConnectAsync(Endpoint, ClientOptions, cancellationToken).ConfigureAwait(false);
        await client.AuthenticateAsync(Login.CreateMechanism(Endpoint), cancellationToken).ConfigureAwait(false);
        var readOnly = Options.AfterFetch == AfterFetchAction.None;
        var mailbox = await client.SelectAsync(Options.Folder, readOnly, cancellationToken).ConfigureAwait(false);

        var sameFolder = previous is not null && string.Equals(previous.Folder, Options.Folder, StringComparison.Ordinal);
        var validityChanged = sameFolder && previous!.UidValidity != 0 && previous.UidValidity != mailbox.UidValidity;
        var lastUid = sameFolder && !validityChanged ? previous!.LastUid : 0u;
        var newUids = await ListUidsAfterAsync(client, lastUid, cancellationToken).ConfigureAwait(false);

        if (validityChanged && Options.OnUidValidityChanged != UidValidityChangeAction.RefetchAll)
        {
            var kept = Options.OnUidValidityChanged == UidValidityChangeAction.Stop
                ? previous!
                : new ImapCheckpoint(Options.Folder, mailbox.UidValidity, newUids.Count > 0 ? newUids[^1] : Math.Max(mailbox.UidNext, 1) - 1);
            await LogoutQuietlyAsync(client, cancellationToken).ConfigureAwait(false);
            return new MailFetchResult(kept, 0, 0, Options.OnUidValidityChanged == UidValidityChangeAction.Stop ? newUids.Count : 0, true, previous!.UidValidity);
        }

        var run = new ImapFetchRun(client, Options, onMessage, onCheckpoint, mailbox.UidValidity, lastUid);
        var selected = newUids.Take(Options.MaxMessages).ToList();
        foreach (var batch in selected.Chunk(Options.BatchSize))
            await run.FetchBatchAsync(batch, cancellationToken).ConfigureAwait(false);

        await LogoutQuietlyAsync(client, cancellationToken).ConfigureAwait(false);
        return new MailFetchResult(run.Checkpoint, run.DeliveredCount, run.DeliveredBytes, newUids.Count - selected.Count,
            validityChanged, validityChanged ? previous!.UidValidity : null);
    }

    /// <summary>
    /// UID FETCH n:* (UID) rather than UID SEARCH: one short line per message, so a first run over a large
    /// folder cannot exceed the line-length limit a single SEARCH line would.
    /// </summary>
    private static async Task<List<uint>> ListUidsAfterAsync(ImapClient client, uint lastUid, CancellationToken cancellationToken)
    {
        var uids = new List<uint>();
        if (lastUid == uint.MaxValue || client.SelectedMailbox!.Exists == 0) return uids;
        await client.UidFetchAsync(ImapUidSet.From(lastUid + 1), ImapFetchItems.Uid, (message, _) =>
        {
            if (message.Uid > lastUid) uids.Add(message.Uid);
            return ValueTask.CompletedTask;
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        uids.Sort();
        return uids.Distinct().ToList();
    }

    private static async Task LogoutQuietlyAsync(ImapClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.LogoutAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MailProtocolException)
        {
            // Everything was delivered and checkpointed; a server that drops the line at LOGOUT changes nothing.
        }
    }
}
