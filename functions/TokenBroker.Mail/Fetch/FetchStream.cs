namespace TokenBroker.Mail.Fetch;

/// <summary>
/// The TCP stream under a fetching MailKit client (below TLS). It enforces what a hostile or broken server
/// could otherwise abuse: each read must return within <c>readTimeout</c> (MailKit's own timeout does not
/// apply to a stream it was given), and the bytes read for the current step must stay within the allowance
/// set by <see cref="Allow"/> (MailKit holds a whole message in memory, so an allowance derived from the
/// announced size and the size cap bounds memory even when the server sends more than it announced).
/// </summary>
internal sealed class FetchStream(Stream inner, TimeSpan readTimeout, TimeProvider timeProvider) : Stream
{
    private long _allowed = long.MaxValue;
    private long _read;

    /// <summary>What the current allowance is for, in words ("the messages 4:7").</summary>
    public string Step { get; private set; } = "the opening";

    public long Allowance => _allowed;

    /// <summary>Set once the server sent more than the allowance; the connection is then broken.</summary>
    public bool AllowanceExceeded { get; private set; }

    /// <summary>Set once a read waited longer than the read timeout; the connection is then broken.</summary>
    public bool ReadTimedOut { get; private set; }

    public TimeSpan ReadTimeoutSpan => readTimeout;

    /// <summary>Starts a step: from now on at most <paramref name="bytes"/> may arrive until the next call.</summary>
    public void Allow(long bytes, string step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        _allowed = bytes;
        _read = 0;
        Step = step;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (AllowanceExceeded || ReadTimedOut) throw new IOException("The connection was abandoned after a limit was exceeded.");
        using var timeout = new CancellationTokenSource(readTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int count;
        try
        {
            count = await inner.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ReadTimedOut = true;
            throw new TimeoutException($"The server sent nothing for {readTimeout.TotalSeconds:0.#} s during {Step}.");
        }
        _read += count;
        if (_read > _allowed)
        {
            AllowanceExceeded = true;
            throw new IOException($"The server sent more than {_allowed} bytes for {Step}.");
        }
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // MailKit's async clients read asynchronously; a synchronous read would escape the read timeout.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
