using System.Runtime.InteropServices;
using System.Text;
using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Imap.Wire;

/// <summary>
/// Decides where a literal goes, seeing the line fragment that announced it: null buffers it (names,
/// small values); a stream receives the bytes as they arrive (message bodies), so nothing large is held.
/// </summary>
internal delegate Stream? ImapLiteralRouter(ReadOnlySpan<byte> announcingLine, long length);

/// <summary>Reads whole responses (a line, and for each {n} it ends with, n bytes and the next line).</summary>
internal sealed class ImapFrameReader(MailConnection connection, ImapLimits limits)
{

    public async ValueTask<ImapResponseFrame> ReadAsync(ImapLiteralRouter? router, CancellationToken cancellationToken)
    {
        var frame = new ImapResponseFrame();
        while (true)
        {
            var line = AsArray(await connection.ReadLineBytesAsync(cancellationToken).ConfigureAwait(false));
            connection.Options.ProtocolLog?.Log(MailLogDirection.Server, Encoding.UTF8.GetString(line));
            frame.Lines.Add(line);
            if (!TryGetLiteralLength(line, out var length, out var malformed))
            {
                if (malformed) throw new MailProtocolException("The IMAP server sent a malformed literal length.", frame.ToString());
                return frame;
            }
            if (frame.Literals.Count >= limits.MaxLiteralsPerResponse)
                throw new MailProtocolException($"The IMAP server sent more than {limits.MaxLiteralsPerResponse} literals in one response.", frame.ToString());

            var sink = router?.Invoke(line, length);
            if (sink is null)
            {
                if (length > limits.MaxBufferedLiteralBytes)
                    throw new MailProtocolException(
                        $"The IMAP server announced a {length}-byte literal, more than the {limits.MaxBufferedLiteralBytes} bytes buffered for such a value.",
                        frame.ToString());
                var data = new byte[length];
                await connection.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
                frame.Literals.Add(new ImapLiteral(length, data, null));
            }
            else
            {
                await connection.CopyExactlyToAsync(sink, length, cancellationToken).ConfigureAwait(false);
                frame.Literals.Add(new ImapLiteral(length, null, sink));
            }
            connection.Options.ProtocolLog?.Log(MailLogDirection.Server, $"<literal of {length} bytes>");
        }
    }

    private static byte[] AsArray(ReadOnlyMemory<byte> line) =>
        MemoryMarshal.TryGetArray(line, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : line.ToArray();

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
