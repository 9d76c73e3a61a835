using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// The state of one IMAP fetch run: batches of at most <see cref="MailFetchOptions.MaxMessageBytes"/> announced bytes
/// together (MailKit holds a message in memory, so one batch's allowance bounds memory) and, with an after-fetch
/// action, at most <see cref="MailFetchOptions.BatchSize"/> messages (the action follows each batch), which UIDs of the
/// current batch are still owed to the caller, and the checkpoint, which never passes a UID whose delivery has not completed.
/// </summary>
internal sealed class ImapFetchRun(
    FetchSession<ImapClient> session,
    IMailFolder folder,
    MailHandler onMessage,
    CheckpointHandler? onCheckpoint,
    uint lastUid)
{
    /// <summary>Room per message for its FETCH response line around the literal.</summary>
    private const long PerMessageAllowance = 1024;

    private readonly MailFetchOptions _options = session.Options;

    public ImapCheckpoint Checkpoint { get; private set; } = new(session.Options.Folder, folder.UidValidity, lastUid);

    public int DeliveredCount { get; private set; }

    public long DeliveredBytes { get; private set; }

    /// <summary>Fetches <paramref name="listed"/> (ascending UIDs) batch by batch; an oversized message stops the run after the ones before it.</summary>
    public async Task FetchAsync(IReadOnlyList<IMessageSummary> listed)
    {
        // Without an action, splitting the fetch only costs round trips (a tenth of a 1,000-message run, imap-fetch benchmark).
        var batchSize = _options.AfterFetch == AfterFetchAction.None ? int.MaxValue : _options.BatchSize;
        var batch = new List<IMessageSummary>();
        long batchBytes = 0;
        foreach (var message in listed)
        {
            var size = (long)(message.Size ?? 0);
            if (size > _options.MaxMessageBytes)
            {
                if (batch.Count > 0) await FetchBatchAsync(batch).ConfigureAwait(false);
                throw TooLarge(message.UniqueId.Id, size);
            }
            if (batch.Count > 0 && (batch.Count == batchSize || batchBytes + size > _options.MaxMessageBytes))
            {
                await FetchBatchAsync(batch).ConfigureAwait(false);
                batch = [];
                batchBytes = 0;
            }
            batch.Add(message);
            batchBytes += size;
        }
        if (batch.Count > 0) await FetchBatchAsync(batch).ConfigureAwait(false);
    }

    private async Task FetchBatchAsync(List<IMessageSummary> batch)
    {
        var byUid = batch.ToDictionary(m => m.UniqueId.Id);
        var pending = new SortedSet<uint>(byUid.Keys);
        var delivered = new List<UniqueId>();
        var uids = new UniqueIdSet(batch.Select(m => m.UniqueId), SortOrder.Ascending);
        var allowance = FetchSession<ImapClient>.ProtocolAllowance + batch.Sum(m => Math.Min((long)(m.Size ?? 0), _options.MaxMessageBytes) + PerMessageAllowance);

        await session.RunAsync($"UID FETCH {uids} BODY.PEEK[]", allowance, token => ((ImapFolder)folder).GetStreamsAsync(uids, async (_, _, uid, stream, callbackToken) =>
        {
            if (!byUid.TryGetValue(uid.Id, out var summary) || !pending.Contains(uid.Id)) return;
            if (stream.Length > _options.MaxMessageBytes) throw TooLarge(uid.Id, stream.Length);
            stream.Position = 0;
            var length = stream.Length; // the handler may dispose the stream (an HttpContent over it does)
            await session.InvokeCallerAsync(async () =>
            {
                await onMessage(new FetchedMail
                {
                    Id = uid.Id.ToString(CultureInfo.InvariantCulture),
                    Uid = uid.Id,
                    UidValidity = folder.UidValidity,
                    Size = length,
                    Flags = ImapFlagNames.Of(summary),
                    Content = stream,
                }, callbackToken).ConfigureAwait(false);
                pending.Remove(uid.Id);
                delivered.Add(uid);
                DeliveredCount++;
                DeliveredBytes += length;
                await AdvanceAsync(pending.Count > 0 ? pending.Min - 1 : batch[^1].UniqueId.Id, callbackToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }, token)).ConfigureAwait(false);

        // UIDs the server did not return were expunged meanwhile: nothing is owed for them.
        await AdvanceAsync(batch[^1].UniqueId.Id, session.Token).ConfigureAwait(false);
        if (delivered.Count > 0) await ImapAfterFetch.ApplyAsync(session, folder, delivered).ConfigureAwait(false);
    }

    private async ValueTask AdvanceAsync(uint throughUid, CancellationToken cancellationToken)
    {
        if (throughUid <= Checkpoint.LastUid) return;
        Checkpoint = Checkpoint with { LastUid = throughUid };
        if (onCheckpoint is not null) await onCheckpoint(Checkpoint, cancellationToken).ConfigureAwait(false);
    }

    private MailMessageTooLargeException TooLarge(uint uid, long size) => new(
        $"IMAP message UID {uid} in \"{_options.Folder}\" is {size} bytes, over the limit of {_options.MaxMessageBytes} bytes (MaxMessageBytes); " +
        "it was not fetched, and the fetch stops before it until the limit is raised or the message is moved away.",
        uid.ToString(CultureInfo.InvariantCulture), size, _options.MaxMessageBytes);
}
