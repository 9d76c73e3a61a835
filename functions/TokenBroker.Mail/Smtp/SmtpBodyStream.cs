using System.Buffers;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// What the DATA and BDAT streams share: write-only and asynchronous, every write first passed through a
/// <see cref="DotStuffer"/> (which fixes bare line ends and, for DATA, stuffs dots) into a pooled buffer.
/// </summary>
internal abstract class SmtpBodyStream(string command, bool stuffDots) : Stream
{
    private DotStuffer _stuffer = new(stuffDots);
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(DotStuffer.MaxOutputLength(8 * 1024));

    /// <summary>What ends the body on the DATA path: ".\r\n", after a line break of its own if the body lacks one.</summary>
    protected ReadOnlySpan<byte> Terminator => _stuffer.Terminator;

    /// <summary><paramref name="input"/> as it goes on the wire; valid until the next call.</summary>
    protected ReadOnlyMemory<byte> ToWire(ReadOnlyMemory<byte> input)
    {
        if (_scratch.Length < DotStuffer.MaxOutputLength(input.Length))
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(DotStuffer.MaxOutputLength(input.Length));
        }
        return _scratch.AsMemory(0, _stuffer.Process(input.Span, _scratch));
    }

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException($"SMTP {command} is written asynchronously only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && _scratch.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
