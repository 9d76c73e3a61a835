using System.Buffers.Text;

namespace TokenBroker.Mail.Mime;

/// <summary>Streams base64 in lines of 76 characters (RFC 2045 §6.8) without loading the source whole.</summary>
internal static class Base64LineWriter
{
    private const int BytesPerLine = 57; // 57 bytes → 76 base64 characters
    private const int LinesPerChunk = 512;

    public static async Task WriteAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var input = new byte[BytesPerLine * LinesPerChunk];
        var output = new byte[(76 + 2) * LinesPerChunk];
        while (true)
        {
            var filled = await FillAsync(source, input, cancellationToken).ConfigureAwait(false);
            if (filled == 0) break;
            var written = 0;
            for (var offset = 0; offset < filled; offset += BytesPerLine)
            {
                var length = Math.Min(BytesPerLine, filled - offset);
                Base64.EncodeToUtf8(input.AsSpan(offset, length), output.AsSpan(written), out _, out var encoded);
                written += encoded;
                output[written++] = (byte)'\r';
                output[written++] = (byte)'\n';
            }
            await destination.WriteAsync(output.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
            if (filled < input.Length) break;
        }
    }

    // Only the last line may be short, so read until the chunk is full or the source ends.
    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }
}
