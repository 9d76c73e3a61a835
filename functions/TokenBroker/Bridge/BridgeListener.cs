using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TokenBroker.Mail;
using TokenBroker.Mail.Relay;

namespace TokenBroker.Bridge;

/// <summary>
/// Accepts apps on one IMAP or POP3 endpoint and runs a front door per connection, each on its own task, so a slow or
/// waiting login never holds up another. At most <see cref="BridgeOptions.MaxSessions"/> run at once; more wait in
/// the accept queue. Implicit TLS is handshaken here; STARTTLS is the front door's.
/// </summary>
public sealed class BridgeListener(BridgeEndpoint endpoint, BridgeOptions options, SslStreamCertificateContext? certificate,
    Func<BridgeConnection, CancellationToken, Task> frontDoor, ILogger logger)
{
    private TcpListener? _listener;

    public System.Net.IPEndPoint LocalEndpoint => (System.Net.IPEndPoint)_listener!.LocalEndpoint;

    public void Start()
    {
        _listener = new TcpListener(endpoint.Listen);
        _listener.Start(backlog: 512);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var sessions = new SemaphoreSlim(options.MaxSessions);
        var running = new HashSet<Task>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await sessions.WaitAsync(stopping).ConfigureAwait(false);
                Socket socket;
                try
                {
                    socket = await _listener!.AcceptSocketAsync(stopping).ConfigureAwait(false);
                }
                catch
                {
                    sessions.Release();
                    throw;
                }
                socket.NoDelay = true;
                var session = Task.Run(() => ServeAsync(socket, sessions, stopping), CancellationToken.None);
                lock (running) running.Add(session);
                _ = session.ContinueWith(t => { lock (running) running.Remove(t); }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _listener!.Stop();
            Task[] left;
            lock (running) left = [.. running];
            await Task.WhenAll(left).ConfigureAwait(false);
        }
    }

    private async Task ServeAsync(Socket socket, SemaphoreSlim sessions, CancellationToken stopping)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (endpoint.Tls == BridgeTls.Implicit)
                stream = await ServerTls.AuthenticateAsync(stream, certificate!, options.CommandTimeout, stopping).ConfigureAwait(false);
            var connection = new BridgeConnection(new LineChannel(stream, options.CommandTimeout), endpoint.Tls == BridgeTls.Implicit,
                endpoint.Tls == BridgeTls.StartTls ? certificate : null);
            await frontDoor(connection, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MailProtocolException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug("Bridge {Protocol} connection ended: {Reason}", endpoint.Protocol, e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Bridge {Protocol} connection failed.", endpoint.Protocol);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            sessions.Release();
        }
    }
}
