using System.Globalization;
using TokenBroker.Mail.Imap;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// The state of one IMAP fetch run: which UIDs of the current batch are still owed to the caller, and
/// the checkpoint, which never passes a UID whose delivery has not completed.
/// </summary>
internal sealed class ImapFetchRun(
    ImapClient client,
    MailFetchOptions options,
    MailHandler onMessage,
    CheckpointHandler? onCheckpoint,
    uint uidValidity,
    uint lastUid)
{
    public ImapCheckpoint Checkpoint { get; private set; } = new(options.Folder, uidValidity, lastUid);

    public int DeliveredCount { get; private set; }

    public long DeliveredBytes { get; private set; }

    public async Task FetchBatchAsync(uint[] batch, CancellationToken cancellationToken)
    {
        var pending = new SortedSet<uint>(batch);
        var delivered = new List<uint>();
        Stream? undelivered = null;
        try
        {
            await client.UidFetchAsync(ImapUidSet.Format(batch), ImapFetchItems.All, async (message, token) =>
            {
                undelivered = null;
                await using var body = message.Body;
                if (body is null || !pending.Contains(message.Uid)) return;
                body.Position = 0;
                await onMessage(new FetchedMail
                {
                    Id = message.Uid.ToString(CultureInfo.InvariantCulture),
                    Uid = message.Uid,
                    UidValidity = uidValidity,
                    Size = message.BodyLength,
                    Flags = message.Flags ?? [],
                    InternalDate = message.InternalDate,
                    Content = body,
                }, token).ConfigureAwait(false);
                pending.Remove(message.Uid);
                delivered.Add(message.Uid);
                DeliveredCount++;
                DeliveredBytes += message.BodyLength;
                await AdvanceAsync(pending.Count > 0 ? pending.Min - 1 : batch[^1], token).ConfigureAwait(false);
            }, length => undelivered = MessageSpool.Open(length, options.MaxInMemoryMessageBytes), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (undelivered is not null) await undelivered.DisposeAsync().ConfigureAwait(false);
        }

        // UIDs the server did not return were expunged meanwhile: nothing is owed for them.
        await AdvanceAsync(batch[^1], cancellationToken).ConfigureAwait(false);
        if (delivered.Count > 0) await ApplyAfterFetchAsync(delivered, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AdvanceAsync(uint throughUid, CancellationToken cancellationToken)
    {
        if (throughUid <= Checkpoint.LastUid) return;
        Checkpoint = Checkpoint with { LastUid = throughUid };
        if (onCheckpoint is not null) await onCheckpoint(Checkpoint, cancellationToken).ConfigureAwait(false);
    }

    private Task ApplyAfterFetchAsync(List<uint> delivered, CancellationToken cancellationToken) => options.AfterFetch switch
    {
        AfterFetchAction.MarkSeen => client.UidStoreFlagsAsync(ImapUidSet.Format(delivered), ImapStoreMode.Add, ["\\Seen"], cancellationToken),
        AfterFetchAction.MoveToFolder => client.UidMoveAsync(ImapUidSet.Format(delivered), options.MoveToFolder!, cancellationToken),
        _ => Task.CompletedTask,
    };
}
