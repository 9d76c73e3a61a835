using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>UID SEARCH with criteria in IMAP syntax (e.g. "UNSEEN", "UID 5:*"); returns the UIDs in ascending order.</summary>
    public async Task<IReadOnlyList<uint>> UidSearchAsync(string criteria, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(criteria);
        var uids = new List<uint>();
        ValueTask Collect(ImapResponse response)
        {
            if (response.Name == "SEARCH")
            {
                var decoder = response.Decoder;
                while (decoder.SP() && decoder.ExpectNumber(out var uid)) uids.Add(uid);
            }
            return ValueTask.CompletedTask;
        }
        await ExecuteAsync(new ImapCommand("UID SEARCH").Raw(criteria), Collect, cancellationToken: cancellationToken).ConfigureAwait(false);
        uids.Sort();
        return uids;
    }

    /// <summary>
    /// The UIDs greater than <paramref name="lastUid"/>. "UID n:*" always matches the mailbox's last message
    /// even when its UID is below n, so the answer is filtered here.
    /// </summary>
    public async Task<IReadOnlyList<uint>> UidSearchAfterAsync(uint lastUid, CancellationToken cancellationToken = default)
    {
        if (lastUid == uint.MaxValue) return [];
        var found = await UidSearchAsync("UID " + ImapUidSet.From(lastUid + 1), cancellationToken).ConfigureAwait(false);
        return found.Where(uid => uid > lastUid).ToList();
    }
}
