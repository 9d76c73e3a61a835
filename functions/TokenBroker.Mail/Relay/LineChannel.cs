using System.Text;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// Line-at-a-time reading and writing on a mail connection, for the dialogue before a relay starts copying bytes:
/// lines are capped (<see cref="MaxLineLength"/>), every read and write is bounded by <see cref="Timeout"/>, and the
/// bytes read past the last line are handed over (<see cref="TakeBuffered"/>) so the relay loses nothing the peer
/// pipelined. The stream can be swapped for its TLS wrapper after STARTTLS (<see cref="Replace"/>).
/// </summary>
public sealed class LineChannel(Stream stream, TimeSpan timeout, int maxLineLength = 8 * 1024)
{
    private readonly byte[] _buffer = new byte[Math.Max(4096, maxLineLength + 2)];
    private int _start;
    private int _end;

    public Stream Stream { get; private set; } = stream;
    public TimeSpan Timeout { get; } = timeout;
    public int MaxLineLength { get; } = maxLineLength;

    /// <summary>True when the peer has sent bytes that were not read yet (STARTTLS must not start then).</summary>
    public bool HasBufferedBytes => _end > _start;

    /// <summary>The next line without its CRLF (a bare LF is accepted); null when the peer closed the connection.</summary>
    /// <exception cref="MailProtocolException">The line is longer than allowed, or the peer was silent too long.</exception>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0; // bytes after _start already known to hold no LF
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start + scanned, _end - _start - scanned);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r') length--;
                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }
            if (_end - _start > MaxLineLength)
                throw new MailProtocolException($"A line longer than {MaxLineLength} bytes was received.");
            scanned = _end - _start;
            Compact();
            if (!await FillAsync(cancellationToken).ConfigureAwait(false)) return null;
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes (an IMAP literal); null when the peer closed first.</summary>
    public async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_end == _start)
            {
                Compact();
                if (!await FillAsync(cancellationToken).ConfigureAwait(false)) return null;
            }
            var take = Math.Min(count - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, take);
            _start += take;
            copied += take;
        }
        return result;
    }

    public Task WriteLineAsync(string line, CancellationToken cancellationToken) =>
        WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var bounded = Bounded(cancellationToken);
        try
        {
            await Stream.WriteAsync(bytes, bounded.Token).ConfigureAwait(false);
            await Stream.FlushAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailProtocolException($"The peer did not take data for {Timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Bytes already read past the last line; the channel forgets them.</summary>
    public ReadOnlyMemory<byte> TakeBuffered()
    {
        var rest = _buffer.AsMemory(_start, _end - _start).ToArray();
        _start = _end = 0;
        return rest;
    }

    /// <summary>Continue on <paramref name="upgraded"/> (the TLS stream over the old one); nothing may be buffered.</summary>
    public void Replace(Stream upgraded)
    {
        if (HasBufferedBytes) throw new MailProtocolException("The peer sent data after STARTTLS before the TLS handshake.");
        Stream = upgraded;
    }

    private void Compact()
    {
        if (_start == 0) return;
        Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_end == _buffer.Length) throw new MailProtocolException($"A line longer than {MaxLineLength} bytes was received.");
        using var bounded = Bounded(cancellationToken);
        int read;
        try
        {
            read = await Stream.ReadAsync(_buffer.AsMemory(_end), bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MailProtocolException($"The peer sent nothing for {Timeout.TotalSeconds:0.#} s.");
        }
        _end += read;
        return read > 0;
    }

    private CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Timeout);
        return source;
    }
}
