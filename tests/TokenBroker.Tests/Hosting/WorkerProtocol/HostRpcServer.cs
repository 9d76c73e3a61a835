using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The host's gRPC endpoint: Kestrel on 127.0.0.1 (a free port), HTTP/2 without TLS, serving FunctionRpc.
/// An empty builder, so no appsettings.json next to the tests can move or widen the binding.
/// </summary>
internal sealed class HostRpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FunctionRpcService _service;

    private HostRpcServer(WebApplication app, FunctionRpcService service, Uri uri)
    {
        _app = app;
        _service = service;
        Uri = uri;
    }

    /// <summary>What the worker is given as --functions-uri.</summary>
    public Uri Uri { get; }

    public static async Task<HostRpcServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var service = new FunctionRpcService();
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(options =>
        {
            // The host accepts messages as large as the limit it gives the worker.
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(service);

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var port = new Uri(address).Port;
        return new HostRpcServer(app, service, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>The next EventStream a worker opens; gives up when <paramref name="workerExited"/> completes first.</summary>
    public async Task<WorkerStream> AcceptAsync(TimeSpan timeout, Task workerExited, Func<string> describeFailure)
    {
        using var limit = new CancellationTokenSource(timeout);
        var accepting = _service.Connected.ReadAsync(limit.Token).AsTask();
        if (await Task.WhenAny(accepting, workerExited) != accepting)
            throw new InvalidOperationException($"The worker exited before opening the FunctionRpc EventStream at {Uri}.\n{describeFailure()}");
        try
        {
            return await accepting;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The worker did not open the FunctionRpc EventStream at {Uri} within {timeout.TotalSeconds:0} s.\n{describeFailure()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            // Open streams are aborted by the dispose below.
        }
        await _app.DisposeAsync();
    }
}
