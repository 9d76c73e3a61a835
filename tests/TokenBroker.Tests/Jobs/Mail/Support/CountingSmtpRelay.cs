using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TokenBroker.Tests.Jobs.Mail.Support;

/// <summary>
/// A TCP relay in front of the real submission server that counts what the server is exposed to: connections open at
/// once (the highest ever seen) and when each one was accepted. TLS passes through untouched. While <see cref="RefuseWith"/>
/// is set it plays Exchange Online's connection limit instead: it greets with that reply and hangs up, without reaching
/// the server (the one reply no local server can be made to give).
/// </summary>
internal sealed class CountingSmtpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private int _open;
    private int _maxOpen;

    public CountingSmtpRelay(string upstreamHost, int upstreamPort)
    {
        _upstreamHost = upstreamHost;
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The most connections the server had from the relay at one moment.</summary>
    public int MaxOpen => Volatile.Read(ref _maxOpen);

    /// <summary>When each connection was accepted, relayed or refused.</summary>
    public List<(DateTimeOffset At, bool Refused)> Accepted { get; } = [];

    /// <summary>A greeting line (e.g. "432 4.3.2 Concurrent connections limit exceeded") to answer every new connection with; null relays.</summary>
    public volatile string? RefuseWith;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { /* stopping */ }
        Task[] running;
        lock (_gate) running = [.. _connections];
        await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var refusal = RefuseWith;
            lock (_gate)
            {
                Accepted.Add((DateTimeOffset.UtcNow, refusal is not null));
                _connections.Add(refusal is null ? RelayAsync(client) : RefuseAsync(client, refusal));
            }
        }
    }

    private static async Task RefuseAsync(TcpClient client, string reply)
    {
        using (client)
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"));
            await stream.FlushAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
            var open = Interlocked.Increment(ref _open);
            InterlockedMax(ref _maxOpen, open);
            try
            {
                var a = client.GetStream();
                var b = upstream.GetStream();
                // Either side closing ends the pair, as the server would see it.
                await Task.WhenAny(PumpAsync(a, b), PumpAsync(b, a));
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
