using System.Buffers;

namespace TokenBroker.Mail.Relay;

/// <summary>
/// Copies bytes both ways between an app and a server, untouched, through one small buffer per direction (a large
/// message streams; nothing is held whole). Ends when either side closes or fails, or when neither side sent anything
/// for <paramref name="idleTimeout"/> (the longest IMAP IDLE a server keeps is 30 minutes), and then closes both.
/// </summary>
public static class ByteRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Which side ended the relay.</summary>
    public enum Ending { AppClosed, ServerClosed, Idle, Cancelled }

    public static async Task<Ending> RunAsync(Stream app, Stream server, TimeSpan idleTimeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lastActivity = timeProvider.GetTimestamp();
        var idle = false;
        var watchEvery = idleTimeout < TimeSpan.FromSeconds(4) ? idleTimeout / 4 : TimeSpan.FromSeconds(1);
        using var watchdog = timeProvider.CreateTimer(_ =>
        {
            if (timeProvider.GetElapsedTime(Volatile.Read(ref lastActivity)) < idleTimeout) return;
            idle = true;
            stop.Cancel();
        }, null, watchEvery, watchEvery);

        async Task<bool> CopyAsync(Stream from, Stream to)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer.AsMemory(0, BufferSize), stop.Token).ConfigureAwait(false);
                    if (read == 0) return true;
                    Volatile.Write(ref lastActivity, timeProvider.GetTimestamp());
                    await to.WriteAsync(buffer.AsMemory(0, read), stop.Token).ConfigureAwait(false);
                    await to.FlushAsync(stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                return false;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var upward = CopyAsync(app, server);
        var downward = CopyAsync(server, app);
        var first = await Task.WhenAny(upward, downward).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(upward, downward).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested) return Ending.Cancelled;
        if (idle) return Ending.Idle;
        return first == upward ? Ending.AppClosed : Ending.ServerClosed;
    }
}
