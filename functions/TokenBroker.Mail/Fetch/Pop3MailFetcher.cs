using TokenBroker.Mail.Net;
using TokenBroker.Mail.Pop3;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// Fetches the POP3 messages whose UIDL is not in the checkpoint, in maildrop order, each RETR streamed
/// to a spool and handed to the caller. With <see cref="AfterFetchAction.Delete"/> delivered messages
/// (also ones delivered by an earlier run that ended before QUIT) are DELEted and removed at QUIT.
/// </summary>
public sealed class Pop3MailFetcher(MailEndpoint endpoint, MailClientOptions clientOptions, MailLogin login, MailFetchOptions? options = null)
    : ProtocolMailFetcher<Pop3Checkpoint>(MailProtocol.Pop3, endpoint, clientOptions, login, options)
{
    private protected override async Task<MailFetchResult> FetchCheckedAsync(
        Pop3Checkpoint? checkpoint,
        MailHandler onMessage,
        CheckpointHandler? onCheckpoint,
        CancellationToken cancellationToken)
    {
        var previous = (checkpoint ?? Pop3Checkpoint.Empty).DeliveredUidls;

        await using var client = await Pop3Client.ConnectAsync(Endpoint, ClientOptions, cancellationToken).ConfigureAwait(false);
        await client.AuthenticateAsync(Login.CreateMechanism(Endpoint), cancellationToken).ConfigureAwait(false);
        var uidls = await client.UidlAsync(cancellationToken).ConfigureAwait(false);
        var sizes = (await client.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(entry => entry.MessageNumber, entry => entry.Size);

        // Forget UIDLs no longer on the server so the checkpoint does not grow forever.
        var onServer = uidls.Select(entry => entry.Uid).ToHashSet(StringComparer.Ordinal);
        var delivered = new HashSet<string>(previous.Where(onServer.Contains), StringComparer.Ordinal);
        var deleteDelivered = Options.AfterFetch == AfterFetchAction.Delete;
        if (deleteDelivered)
        {
            foreach (var entry in uidls.Where(entry => delivered.Contains(entry.Uid)))
                await client.DeleAsync(entry.MessageNumber, cancellationToken).ConfigureAwait(false);
        }

        var fresh = uidls.Where(entry => !delivered.Contains(entry.Uid)).ToList();
        var selected = fresh.Take(Options.MaxMessages).ToList();
        long bytes = 0;
        foreach (var entry in selected)
        {
            var size = sizes.GetValueOrDefault(entry.MessageNumber);
            await using (var spool = MessageSpool.Open(size, Options.MaxInMemoryMessageBytes))
            {
                var length = await client.RetrAsync(entry.MessageNumber, spool, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                await onMessage(new FetchedMail { Id = entry.Uid, Size = length, Content = spool }, cancellationToken).ConfigureAwait(false);
                bytes += length;
            }
            delivered.Add(entry.Uid);
            if (onCheckpoint is not null)
                await onCheckpoint(new Pop3Checkpoint(new HashSet<string>(delivered, StringComparer.Ordinal)), cancellationToken).ConfigureAwait(false);
            if (deleteDelivered) await client.DeleAsync(entry.MessageNumber, cancellationToken).ConfigureAwait(false);
        }

        // QUIT commits DELE; without it the server keeps every message.
        await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        return new MailFetchResult(new Pop3Checkpoint(delivered), selected.Count, bytes, fresh.Count - selected.Count, false, null);
    }
}
