using System.Buffers;
using System.Globalization;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Smtp;

/// <summary>
/// A write-only stream that sends the message as BDAT chunks (RFC 3030 CHUNKING): no dot-stuffing (bare LF
/// still becomes CRLF, as on the DATA path), each chunk announced by its length; <see cref="CompleteAsync"/> sends the
/// remainder as "BDAT n LAST" and returns every chunk's reply. Chunk replies are read back while
/// sending (at most <see cref="MaxUnreadReplies"/> outstanding) so neither side's buffers fill up.
/// </summary>
internal sealed class SmtpChunkStream(MailConnection connection, Func<CancellationToken, Task<SmtpReply>> readReply) : SmtpBodyStream("BDAT", stuffDots: false)
{
    public const int ChunkSize = 256 * 1024;
    private const int MaxUnreadReplies = 8;
    // Pooled: a connection sends many small messages, and a fresh 256 KB buffer each would churn the large object heap.
    private byte[] _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int _filled;
    private int _unreadReplies;
    private readonly List<SmtpReply> _replies = [];

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        var buffer = ToWire(input);
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, ChunkSize - _filled);
            buffer[..take].CopyTo(_chunk.AsMemory(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == ChunkSize) // rented arrays may be larger: chunks stay exactly ChunkSize
                await SendChunkAsync(last: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the last chunk and returns the replies of all chunks, the final one last.</summary>
    public async Task<IReadOnlyList<SmtpReply>> CompleteAsync(CancellationToken cancellationToken)
    {
        await SendChunkAsync(last: true, cancellationToken).ConfigureAwait(false);
        while (_unreadReplies > 0)
            await ReadOneAsync(cancellationToken).ConfigureAwait(false);
        return _replies;
    }

    private async Task SendChunkAsync(bool last, CancellationToken cancellationToken)
    {
        connection.QueueLine(string.Create(CultureInfo.InvariantCulture, $"BDAT {_filled}{(last ? " LAST" : "")}"));
        connection.QueueBytes(_chunk.AsSpan(0, _filled));
        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
        _filled = 0;
        _unreadReplies++;
        if (_unreadReplies > MaxUnreadReplies)
            await ReadOneAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadOneAsync(CancellationToken cancellationToken)
    {
        _replies.Add(await readReply(cancellationToken).ConfigureAwait(false));
        _unreadReplies--;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _chunk.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = [];
        }
        base.Dispose(disposing);
    }
}
