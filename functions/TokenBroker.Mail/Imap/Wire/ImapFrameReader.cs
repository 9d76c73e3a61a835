using System.Buffers;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// Decides where a literal goes, seeing the line fragment that announced it: null buffers it (names,
/// small values); a stream receives the bytes as they arrive (message bodies), so nothing large is held.
/// </summary>
internal delegate Stream? ImapLiteralRouter(ReadOnlySpan<byte> announcingLine, long length);

/// <summary>Reads whole responses (a line, and for each {n} it ends with, n bytes and the next line).</summary>
internal sealed class ImapFrameReader(IMailTransport transport, ImapLimits limits)
{
    private const int CopyChunk = 64 * 1024;

    public async ValueTask<ImapResponseFrame> ReadAsync(ImapLiteralRouter? router, CancellationToken cancellationToken)
    {
        var frame = new ImapResponseFrame();
        while (true)
        {
            var line = await transport.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            frame.Lines.Add(line);
            if (!TryGetLiteralLength(line, out var length, out var malformed))
            {
                if (malformed) throw new MailProtocolException($"The server sent a malformed literal length: {frame}");
                return frame;
            }
            if (frame.Literals.Count >= limits.MaxLiteralsPerResponse)
                throw new MailProtocolException($"The server sent more than {limits.MaxLiteralsPerResponse} literals in one response: {frame}");

            var sink = router?.Invoke(line, length);
            if (sink is null)
            {
                if (length > limits.MaxBufferedLiteralBytes)
                    throw new MailProtocolException($"The server announced a {length}-byte literal, more than the {limits.MaxBufferedLiteralBytes} bytes buffered for such a value: {frame}");
                var data = new byte[length];
                await transport.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
                frame.Literals.Add(new ImapLiteral(length, data, null));
            }
            else
            {
                await CopyAsync(length, sink, cancellationToken).ConfigureAwait(false);
                frame.Literals.Add(new ImapLiteral(length, null, sink));
            }
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes from the connection in bounded chunks.</summary>
    private async ValueTask CopyAsync(long length, Stream sink, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, CopyChunk));
        try
        {
            for (var remaining = length; remaining > 0;)
            {
                var chunk = (int)Math.Min(remaining, buffer.Length);
                await transport.ReadExactlyAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
                await sink.WriteAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
                remaining -= chunk;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the line ends with {n}, {n+} or ~{n}, announcing n literal bytes.</summary>
    internal static bool TryGetLiteralLength(ReadOnlySpan<byte> line, out long length, out bool malformed)
    {
        length = 0;
        malformed = false;
        if (line.Length < 3 || line[^1] != '}') return false;
        var open = line.LastIndexOf((byte)'{');
        if (open < 0) return false;
        var digits = line[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == '+') digits = digits[..^1];
        if (digits.Length == 0) return false;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
        }
        if (digits.Length > 18)
        {
            malformed = true;
            return false;
        }
        foreach (var b in digits) length = length * 10 + (b - '0');
        return true;
    }
}
