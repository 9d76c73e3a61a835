using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// A write-only stream that dot-stuffs whatever is written into the connection, flushing every
/// <see cref="FlushThreshold"/> bytes: a MimeMessage or a caller's Stream is copied in without buffering
/// the whole message. <see cref="CompleteAsync"/> writes the terminating "." line.
/// </summary>
internal sealed class SmtpDataStream(MailConnection connection) : SmtpBodyStream("DATA", stuffDots: true)
{
    private const int FlushThreshold = 64 * 1024;

    public long BytesWritten { get; private set; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        connection.QueueBytes(ToWire(buffer).Span);
        BytesWritten += buffer.Length;
        if (connection.QueuedByteCount >= FlushThreshold)
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        connection.QueueBytes(Terminator);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
