using System.Net.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TokenBroker.Bridge.Access;
using TokenBroker.Bridge.Imap;
using TokenBroker.Bridge.Pop3;
using TokenBroker.Bridge.Smtp;
using TokenBroker.Jobs.Mail.Governor;
using TokenBroker.Mail.Net;

namespace TokenBroker.Bridge;

/// <summary>Runs every configured listener of the bridge until the host stops.</summary>
public sealed class BridgeService(IReadOnlyList<BridgeEndpoint> endpoints, BridgeOptions options, SslStreamCertificateContext? certificate, MailClientOptions upstreamOptions,
    BridgeLogin login, IBridgeAccess access, SendGovernor governor, TimeProvider time, ILogger<BridgeService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<MailProtocol, System.Net.IPEndPoint> _bound = [];

    /// <summary>Completes when every listener accepts connections.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Where a protocol's listener is bound (its port when configured as 0).</summary>
    public System.Net.IPEndPoint EndpointOf(MailProtocol protocol) => _bound[protocol];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                if (endpoint.Protocol == MailProtocol.Smtp)
                {
                    // The SMTP library does not say which port it got for 0: one is chosen here (tests, throw-away runs).
                    var bound = endpoint.Listen.Port == 0 ? new System.Net.IPEndPoint(endpoint.Listen.Address, FreePort(endpoint.Listen.Address)) : endpoint.Listen;
                    var server = SmtpBridgeServer.Create(endpoint with { Listen = bound }, options, certificate, login, access, governor, time, logger);
                    running.Add(server.StartAsync(stoppingToken));
                    _bound[endpoint.Protocol] = bound;
                }
                else
                {
                    Func<BridgeConnection, CancellationToken, Task> frontDoor = endpoint.Protocol == MailProtocol.Imap
                        ? new ImapFrontDoor(endpoint, login, upstreamOptions, options, time).RunAsync
                        : new Pop3FrontDoor(endpoint, login, upstreamOptions, options, time).RunAsync;
                    var listener = new BridgeListener(endpoint, options, certificate, frontDoor, logger);
                    listener.Start();
                    _bound[endpoint.Protocol] = listener.LocalEndpoint;
                    running.Add(listener.RunAsync(stoppingToken));
                }
                logger.LogInformation("Bridge {Protocol} listening on {Listen} ({Tls}), logging in to {Upstream} with XOAUTH2.",
                    endpoint.Protocol, _bound[endpoint.Protocol], endpoint.Tls, endpoint.Upstream);
            }
            _listening.TrySetResult();
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            throw;
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private static int FreePort(System.Net.IPAddress address)
    {
        var probe = new System.Net.Sockets.TcpListener(address, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
