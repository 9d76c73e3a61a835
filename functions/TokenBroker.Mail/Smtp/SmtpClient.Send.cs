using System.Globalization;
using TokenBroker.Mail.Mime;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

public sealed partial class SmtpClient
{
    /// <summary>Send with BDAT when the server offers CHUNKING (default): one round trip less per message
    /// and no dot-stuffing. False forces DATA.</summary>
    public bool UseChunking { get; set; } = true;

    /// <summary>
    /// Sends a message read from <paramref name="message"/> (RFC 5322 bytes, CRLF or LF line ends) to
    /// <paramref name="recipients"/>. The body streams straight to the socket (BDAT chunks when the server
    /// offers CHUNKING, else DATA with dot-stuffing). With
    /// PIPELINING, MAIL FROM and all RCPT TO go in one write. Recipients refused at RCPT TO are listed in
    /// the result while the others still get the message; if every one is refused the transaction is reset
    /// and an <see cref="SmtpCommandException"/> (step RcptTo) lists them all. A seekable stream larger than
    /// the server's SIZE is refused before anything is sent.
    /// </summary>
    public Task<SmtpSendResult> SendAsync(string from, IEnumerable<string> recipients, Stream message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        long? size = message.CanSeek ? message.Length - message.Position : null;
        // Raw bytes may be 8-bit; declaring 8BITMIME for 7-bit content is harmless, omitting it for 8-bit is not.
        return SendCoreAsync(from, recipients, size, declareEightBit: true,
            (stream, token) => message.CopyToAsync(stream, 64 * 1024, token), beforeCommit: null, cancellationToken);
    }

    /// <summary>Sends a built message: the envelope sender is <see cref="MimeMessage.From"/> and the
    /// recipients are To, Cc and Bcc (Bcc never appears in the written headers).</summary>
    public Task<SmtpSendResult> SendAsync(MimeMessage message, CancellationToken cancellationToken = default) =>
        SendAsync(message, beforeCommit: null, cancellationToken);

    /// <summary>
    /// Like <see cref="SendAsync(MimeMessage, CancellationToken)"/>, and <paramref name="beforeCommit"/> runs once the whole
    /// message is written but before the final "." or "BDAT … LAST": the last moment at which the server certainly
    /// has not accepted it. After it, a lost connection leaves the outcome unknown, so a caller that must not send
    /// twice records its intent there. If it throws, the connection is dropped and the server discards the message.
    /// </summary>
    public async Task<SmtpSendResult> SendAsync(MimeMessage message, Func<CancellationToken, Task>? beforeCommit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var from = message.From?.Address ?? throw new ArgumentException("The message has no From address.", nameof(message));
        long? size = null;
        if (Capabilities.MaxMessageSize is not null || CanSendInOneTrip)
        {
            // Measured by writing to a counter: costs CPU once more, never holds the message in memory.
            await using var counter = new CountingStream();
            await message.WriteToAsync(counter, cancellationToken).ConfigureAwait(false);
            size = counter.Length;
        }
        return await SendCoreAsync(from, message.EnvelopeRecipients, size, declareEightBit: false,
            message.WriteToAsync, beforeCommit, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SmtpSendResult> SendCoreAsync(
        string from,
        IEnumerable<string> recipients,
        long? size,
        bool declareEightBit,
        Func<Stream, CancellationToken, Task> writeMessage,
        Func<CancellationToken, Task>? beforeCommit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(recipients);
        var recipientList = recipients.ToList();
        if (recipientList.Count == 0)
            throw new ArgumentException("At least one recipient is needed.", nameof(recipients));
        if (from.Length > 0 && !MailboxAddress.IsValidAddress(from))
            throw new ArgumentException($"'{from}' is not a valid sender address.", nameof(from));
        foreach (var recipient in recipientList)
        {
            if (!MailboxAddress.IsValidAddress(recipient))
                throw new ArgumentException($"'{recipient}' is not a valid recipient address.", nameof(recipients));
        }
        var connection = Connection;
        if (size is { } messageSize && Capabilities.MaxMessageSize is { } limit && messageSize > limit)
            throw SmtpErrors.CommandFailed(
                new SmtpReply(552, "5.3.4", [$"Message is {messageSize} bytes; {connection.Endpoint} accepts at most {limit} (SIZE). Refused by the client before sending."]),
                SmtpStep.MailFrom);

        var mailFrom = $"MAIL FROM:<{from}>";
        if (size is not null && Capabilities.Supports("SIZE"))
            mailFrom += " SIZE=" + size.Value.ToString(CultureInfo.InvariantCulture);
        if (declareEightBit && Capabilities.EightBitMime)
            mailFrom += " BODY=8BITMIME";
        if (Capabilities.SmtpUtf8 && (!IsAscii(from) || recipientList.Any(r => !IsAscii(r))))
            mailFrom += " SMTPUTF8";

        if (CanSendInOneTrip && size <= SmtpChunkStream.ChunkSize)
            return await SendInOneTripAsync(connection, mailFrom, recipientList, writeMessage, beforeCommit, cancellationToken).ConfigureAwait(false);

        var (mailReply, rcptReplies) = Capabilities.Pipelining
            ? await SendEnvelopePipelinedAsync(mailFrom, recipientList, cancellationToken).ConfigureAwait(false)
            : await SendEnvelopeInTurnAsync(mailFrom, recipientList, cancellationToken).ConfigureAwait(false);
        var (accepted, refused) = await CheckEnvelopeAsync(mailReply, rcptReplies, recipientList, cancellationToken).ConfigureAwait(false);
        var finalReply = UseChunking && Capabilities.Chunking
            ? await SendChunkedAsync(connection, writeMessage, beforeCommit, cancellationToken).ConfigureAwait(false)
            : await SendDataAsync(connection, writeMessage, beforeCommit, cancellationToken).ConfigureAwait(false);
        return new SmtpSendResult(accepted, refused, finalReply);
    }

    /// <summary>Throws for a refused sender or when every recipient was refused (after RSET; transient if any
    /// refusal was); else splits the recipients into accepted and refused.</summary>
    private async Task<(List<string> Accepted, List<SmtpRecipientRefusal> Refused)> CheckEnvelopeAsync(
        SmtpReply mailReply, List<SmtpReply> rcptReplies, List<string> recipients, CancellationToken cancellationToken)
    {
        if (!mailReply.IsSuccess)
            throw SmtpErrors.CommandFailed(mailReply, SmtpStep.MailFrom);
        var accepted = new List<string>();
        var refused = new List<SmtpRecipientRefusal>();
        for (var i = 0; i < recipients.Count; i++)
        {
            if (rcptReplies[i].IsSuccess) accepted.Add(recipients[i]);
            else refused.Add(new SmtpRecipientRefusal(recipients[i], rcptReplies[i]));
        }
        if (accepted.Count == 0)
        {
            await ResetAsync(cancellationToken).ConfigureAwait(false);
            // One temporary refusal makes the whole failure temporary: a retry may reach that recipient.
            var reported = refused.FirstOrDefault(r => r.Reply.IsTransient) ?? refused[0];
            throw SmtpErrors.CommandFailed(reported.Reply, SmtpStep.RcptTo, refused);
        }
        return (accepted, refused);
    }

    private async Task<(SmtpReply Mail, List<SmtpReply> Rcpt)> SendEnvelopePipelinedAsync(string mailFrom, List<string> recipients, CancellationToken cancellationToken)
    {
        var connection = Connection;
        connection.QueueLine(mailFrom);
        foreach (var recipient in recipients)
            connection.QueueLine($"RCPT TO:<{recipient}>");
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        // Every queued command gets a reply, even after MAIL FROM failed (RCPT then gets 503): read them all.
        var mail = await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
        var rcpt = new List<SmtpReply>(recipients.Count);
        foreach (var _ in recipients)
            rcpt.Add(await ReadReplyAsync(cancellationToken).ConfigureAwait(false));
        return (mail, rcpt);
    }

    private async Task<(SmtpReply Mail, List<SmtpReply> Rcpt)> SendEnvelopeInTurnAsync(string mailFrom, List<string> recipients, CancellationToken cancellationToken)
    {
        var mail = await CommandAsync(mailFrom, cancellationToken).ConfigureAwait(false);
        var rcpt = new List<SmtpReply>(recipients.Count);
        if (!mail.IsSuccess)
            return (mail, rcpt);
        foreach (var recipient in recipients)
            rcpt.Add(await CommandAsync($"RCPT TO:<{recipient}>", cancellationToken).ConfigureAwait(false));
        return (mail, rcpt);
    }

    private static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);

    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _length += count;
            return Task.CompletedTask;
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
