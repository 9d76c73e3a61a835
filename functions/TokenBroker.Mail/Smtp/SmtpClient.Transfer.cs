using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

public sealed partial class SmtpClient
{
    /// <summary>A small message to a server with CHUNKING and PIPELINING goes as MAIL, RCPT… and
    /// "BDAT n LAST" with the body in a single write: one round trip per message.</summary>
    private bool CanSendInOneTrip => UseChunking && Capabilities.Chunking && Capabilities.Pipelining;

    private async Task<SmtpSendResult> SendInOneTripAsync(
        MailConnection connection, string mailFrom, List<string> recipients, Func<Stream, CancellationToken, Task> writeMessage,
        Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        connection.QueueLine(mailFrom);
        foreach (var recipient in recipients)
            connection.QueueLine($"RCPT TO:<{recipient}>");
        // The envelope's replies come first on the wire: read them before the first chunk reply.
        var envelope = new List<SmtpReply>(recipients.Count + 1);
        async Task<SmtpReply> ReadChunkReplyAsync(CancellationToken token)
        {
            while (envelope.Count < recipients.Count + 1)
                envelope.Add(await ReadReplyAsync(token).ConfigureAwait(false));
            return await ReadReplyAsync(token).ConfigureAwait(false);
        }
        await using var chunks = new SmtpChunkStream(connection, ReadChunkReplyAsync);
        await WriteMessageOrDisconnectAsync(writeMessage, chunks, cancellationToken).ConfigureAwait(false);
        await RunBeforeCommitOrDisconnectAsync(beforeCommit, cancellationToken).ConfigureAwait(false);
        var chunkReplies = await chunks.CompleteAsync(cancellationToken).ConfigureAwait(false);

        // A refused envelope makes the server refuse the chunk too (503/554): report the envelope's reason.
        var (accepted, refused) = await CheckEnvelopeAsync(envelope[0], envelope[1..], recipients, cancellationToken).ConfigureAwait(false);
        if (chunkReplies.FirstOrDefault(r => !r.IsSuccess) is { } chunkRefused)
        {
            await ResetAsync(cancellationToken).ConfigureAwait(false);
            throw SmtpErrors.CommandFailed(chunkRefused, SmtpStep.Data);
        }
        return new SmtpSendResult(accepted, refused, chunkReplies[^1]);
    }

    /// <summary>DATA, 354, the dot-stuffed message, ".".</summary>
    private async Task<SmtpReply> SendDataAsync(MailConnection connection, Func<Stream, CancellationToken, Task> writeMessage,
        Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        var dataReply = await CommandAsync("DATA", cancellationToken).ConfigureAwait(false);
        if (dataReply.Code != 354)
        {
            if (!dataReply.IsSuccess)
                await ResetAsync(cancellationToken).ConfigureAwait(false);
            throw dataReply.IsSuccess ? SmtpErrors.Unexpected(dataReply, SmtpStep.Data) : SmtpErrors.CommandFailed(dataReply, SmtpStep.Data);
        }
        await using var data = new SmtpDataStream(connection);
        await WriteMessageOrDisconnectAsync(writeMessage, data, cancellationToken).ConfigureAwait(false);
        await RunBeforeCommitOrDisconnectAsync(beforeCommit, cancellationToken).ConfigureAwait(false);
        await data.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var finalReply = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        if (!finalReply.IsSuccess)
            throw SmtpErrors.CommandFailed(finalReply, SmtpStep.Data);
        return finalReply;
    }

    /// <summary>BDAT chunks (RFC 3030): no dot-stuffing and no 354 round trip. A refused chunk fails the
    /// message; the transaction is then reset so the connection stays usable.</summary>
    private async Task<SmtpReply> SendChunkedAsync(MailConnection connection, Func<Stream, CancellationToken, Task> writeMessage,
        Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        await using var chunks = new SmtpChunkStream(connection, ReadReplyAsync);
        await WriteMessageOrDisconnectAsync(writeMessage, chunks, cancellationToken).ConfigureAwait(false);
        await RunBeforeCommitOrDisconnectAsync(beforeCommit, cancellationToken).ConfigureAwait(false);
        var replies = await chunks.CompleteAsync(cancellationToken).ConfigureAwait(false);
        if (replies.FirstOrDefault(r => !r.IsSuccess) is { } refused)
        {
            await ResetAsync(cancellationToken).ConfigureAwait(false);
            throw SmtpErrors.CommandFailed(refused, SmtpStep.Data);
        }
        return replies[^1];
    }

    private async Task WriteMessageOrDisconnectAsync(Func<Stream, CancellationToken, Task> writeMessage, Stream destination, CancellationToken cancellationToken)
    {
        try
        {
            await writeMessage(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not MailProtocolException)
        {
            // Half a message is on the wire and cannot be taken back: the connection must go.
            await DisconnectAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunBeforeCommitOrDisconnectAsync(Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken)
    {
        if (beforeCommit is null) return;
        try
        {
            await beforeCommit(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The message is written but not committed: without the final "." or LAST the server discards it.
            await DisconnectAsync().ConfigureAwait(false);
            throw;
        }
    }
}
