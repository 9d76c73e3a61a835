using MailKit.Net.Pop3;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Fetch;

/// <summary>
/// Fetches the POP3 messages whose UIDL is not in the checkpoint, in maildrop order, over MailKit: each RETR
/// read within an allowance of its LIST size (a message listed over <see cref="MailFetchOptions.MaxMessageBytes"/>
/// is refused unread) and handed to the caller. With <see cref="AfterFetchAction.Delete"/> delivered messages
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
        await using var session = await FetchSession<Pop3Client>.OpenAsync(
            MailKitConnector.CreatePop3(ClientOptions), MailProtocol.Pop3, Endpoint, ClientOptions, Login, Options, cancellationToken).ConfigureAwait(false);
        var client = session.Client;
        var listAllowance = FetchSession<Pop3Client>.ProtocolAllowance + client.Count * 512L;
        var uidls = await session.RunAsync("UIDL", listAllowance, token => client.GetMessageUidsAsync(token)).ConfigureAwait(false);
        var sizes = await session.RunAsync("LIST", listAllowance, token => client.GetMessageSizesAsync(token)).ConfigureAwait(false);

        // Forget UIDLs no longer on the server so the checkpoint does not grow forever.
        var delivered = new HashSet<string>(previous.Where(uidls.Contains), StringComparer.Ordinal);
        var deleteDelivered = Options.AfterFetch == AfterFetchAction.Delete;
        var indexes = Enumerable.Range(0, uidls.Count).ToList();
        if (deleteDelivered)
        {
            foreach (var index in indexes.Where(i => delivered.Contains(uidls[i])))
                await DeleteAsync(session, index).ConfigureAwait(false);
        }

        var fresh = indexes.Where(i => !delivered.Contains(uidls[i])).ToList();
        var selected = fresh.Take(Options.MaxMessages).ToList();
        long bytes = 0;
        foreach (var index in selected)
        {
            var size = index < sizes.Count ? sizes[index] : 0;
            if (size > Options.MaxMessageBytes)
                throw TooLarge(uidls[index], size, "it was not fetched");
            var allowance = FetchSession<Pop3Client>.ProtocolAllowance + size + size / 16;
            await using (var content = await session.RunAsync($"RETR {index + 1}", allowance, token => client.GetStreamAsync(index, headersOnly: false, token)).ConfigureAwait(false))
            {
                // LIST understated it, but not by more than the protocol room the allowance gives: still over the cap.
                if (content.Length > Options.MaxMessageBytes)
                    throw TooLarge(uidls[index], content.Length, $"LIST announced {size} bytes; it was read but not delivered");
                content.Position = 0;
                var length = content.Length; // the handler may dispose the stream (an HttpContent over it does)
                await onMessage(new FetchedMail { Id = uidls[index], Size = length, Content = content }, session.Token).ConfigureAwait(false);
                bytes += length;
            }
            delivered.Add(uidls[index]);
            if (onCheckpoint is not null)
                await onCheckpoint(new Pop3Checkpoint(new HashSet<string>(delivered, StringComparer.Ordinal)), session.Token).ConfigureAwait(false);
            if (deleteDelivered) await DeleteAsync(session, index).ConfigureAwait(false);
        }

        // QUIT commits DELE; without it the server keeps every message.
        await session.CloseAsync(mustSucceed: deleteDelivered).ConfigureAwait(false);
        return new MailFetchResult(new Pop3Checkpoint(delivered), selected.Count, bytes, fresh.Count - selected.Count, false, null);
    }

    private MailMessageTooLargeException TooLarge(string uidl, long size, string what) => new(
        $"POP3 message {uidl} is {size} bytes, over the limit of {Options.MaxMessageBytes} bytes (MaxMessageBytes); " +
        $"{what}, and the fetch stops before it until the limit is raised or the message is removed.",
        uidl, size, Options.MaxMessageBytes);

    private static Task DeleteAsync(FetchSession<Pop3Client> session, int index) =>
        session.RunAsync($"DELE {index + 1}", FetchSession<Pop3Client>.ProtocolAllowance, token => session.Client.DeleteMessageAsync(index, token));
}
