using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Hosting;

namespace TokenBroker.Bridge;

/// <summary>
/// The host of `tokenbroker bridge`: the broker's services (same settings, data folder, client registry and token
/// provider as `serve`, without its HTTP, timers or queue listeners) plus the bridge's listeners.
/// </summary>
public static class BridgeHost
{
    public static IHost Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddBroker(builder.Configuration, HostingMode.Standalone, BrokerFunctions.Catalog);
        builder.Services.AddBridge(builder.Configuration);
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
