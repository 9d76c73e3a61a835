using System.Net.Sockets;

namespace TokenBroker.Mail.Net;

public sealed partial class MailConnection
{
    /// <summary>Reads one line and returns it without its CRLF (a bare LF also ends a line), decoded as UTF-8.</summary>
    public async Task<string> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        var line = await ReadLineBytesAsync(cancellationToken).ConfigureAwait(false);
        var text = DecodeLine(line.Span);
        _options.ProtocolLog?.Log(MailLogDirection.Server, text);
        return text;
    }

    /// <summary>Reads one line as raw bytes without its line ending (for IMAP, where literals follow
    /// the line and text may be 8-bit). Not logged: the caller logs what it decodes.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadLineBytesAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var scanned = 0; // bytes after _readStart already known to hold no LF (survives buffer compaction)
        while (true)
        {
            var newline = Array.IndexOf(_readBuffer, (byte)'\n', _readStart + scanned, _readEnd - _readStart - scanned);
            if (newline >= 0)
            {
                var end = newline > _readStart && _readBuffer[newline - 1] == '\r' ? newline - 1 : newline;
                if (end - _readStart > _options.MaxLineLength)
                    Break($"the server sent a line longer than {_options.MaxLineLength} bytes",
                        received: DecodeLine(_readBuffer.AsSpan(_readStart, 200)));
                var line = _readBuffer.AsMemory(_readStart, end - _readStart).ToArray();
                _readStart = newline + 1;
                return line;
            }
            var pending = _readEnd - _readStart;
            if (pending >= _options.MaxLineLength)
                Break($"the server sent a line longer than {_options.MaxLineLength} bytes",
                    received: DecodeLine(_readBuffer.AsSpan(_readStart, Math.Min(pending, 200))));
            scanned = pending;
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                var partial = pending > 0 ? DecodeLine(_readBuffer.AsSpan(_readStart, Math.Min(pending, 200))) : null;
                Break(pending > 0
                    ? $"the server closed the connection in the middle of a line ({pending} bytes)"
                    : "the server closed the connection", received: partial);
            }
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes (an IMAP literal, a counted body).</summary>
    public async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        var filled = 0;
        while (filled < buffer.Length)
        {
            if (_readEnd == _readStart && !await FillAsync(cancellationToken).ConfigureAwait(false))
                Break($"the server closed the connection {filled} bytes into {buffer.Length} announced bytes");
            var take = Math.Min(buffer.Length - filled, _readEnd - _readStart);
            _readBuffer.AsMemory(_readStart, take).CopyTo(buffer[filled..]);
            _readStart += take;
            filled += take;
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes to <paramref name="destination"/> without
    /// holding them all in memory (a large literal streamed to a file).</summary>
    public async Task CopyExactlyToAsync(Stream destination, long count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ThrowIfUnusable();
        var remaining = count;
        while (remaining > 0)
        {
            if (_readEnd == _readStart && !await FillAsync(cancellationToken).ConfigureAwait(false))
                Break($"the server closed the connection {count - remaining} bytes into {count} announced bytes");
            var take = (int)Math.Min(remaining, _readEnd - _readStart);
            await destination.WriteAsync(_readBuffer.AsMemory(_readStart, take), cancellationToken).ConfigureAwait(false);
            _readStart += take;
            remaining -= take;
        }
    }

    /// <summary>Refills the buffer; false at the end of the stream.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_readStart > 0)
        {
            var pending = _readEnd - _readStart;
            Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, pending);
            _readStart = 0;
            _readEnd = pending;
        }
        if (_readEnd == _readBuffer.Length)
        {
            // Only a line longer than the buffer (but within MaxLineLength) gets here; rare, so the
            // buffer is replaced by a bigger one rather than kept growable.
            var bigger = new byte[Math.Min(_readBuffer.Length * 2, _options.MaxLineLength + 2)];
            Buffer.BlockCopy(_readBuffer, 0, bigger, 0, _readEnd);
            _readBuffer = bigger;
        }
        var read = await RunWithTimeoutAsync(
            static (stream, memory, token) => stream.ReadAsync(memory, token),
            _readBuffer.AsMemory(_readEnd), "reading", cancellationToken).ConfigureAwait(false);
        _readEnd += read;
        return read > 0;
    }

    private async Task<int> RunWithTimeoutAsync(
        Func<Stream, Memory<byte>, CancellationToken, ValueTask<int>> operation,
        Memory<byte> memory,
        string what,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _options.TimeProvider);
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token)
            : null;
        try
        {
            return await operation(_stream, memory, linked?.Token ?? timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            Break($"timed out waiting for the server after {_options.CommandTimeout.TotalSeconds:0.###} s ({what})", e);
            throw;
        }
        catch (OperationCanceledException)
        {
            // The caller gave up mid-operation: the protocol state is unknown, so the connection is done.
            _brokenReason = "an operation was cancelled midway";
            throw;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Break($"the connection to the server failed while {what}: {e.Message}", e);
            throw;
        }
    }
}
