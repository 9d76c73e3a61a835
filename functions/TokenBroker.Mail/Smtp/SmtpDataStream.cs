using System.Buffers;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// A write-only stream that dot-stuffs whatever is written into the connection, flushing every
/// <see cref="FlushThreshold"/> bytes: a MimeMessage or a caller's Stream is copied in without buffering
/// the whole message. <see cref="CompleteAsync"/> writes the terminating "." line.
/// </summary>
internal sealed class SmtpDataStream(MailConnection connection) : Stream
{
    private const int FlushThreshold = 64 * 1024;
    private DotStuffer _stuffer = new();
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(DotStuffer.MaxOutputLength(8 * 1024));

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("SMTP DATA is written asynchronously only.");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_scratch.Length < DotStuffer.MaxOutputLength(buffer.Length))
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(DotStuffer.MaxOutputLength(buffer.Length));
        }
        var length = _stuffer.Process(buffer.Span, _scratch);
        connection.QueueBytes(_scratch.AsSpan(0, length));
        BytesWritten += buffer.Length;
        if (connection.QueuedByteCount >= FlushThreshold)
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        connection.QueueBytes(_stuffer.Terminator);
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
