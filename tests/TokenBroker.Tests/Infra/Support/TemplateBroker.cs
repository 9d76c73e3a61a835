using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TokenBroker.Hosting;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>
/// The broker's services as the worker registers them in Azure: worker mode, the product's functions, and no
/// configuration but the template's app settings (plus the embedded appsettings.json the package carries).
/// The worker's gRPC side is left out: the Functions host it talks to cannot run here.
/// </summary>
internal static class TemplateBroker
{
    /// <summary>
    /// App settings become environment variables in Azure, and .NET reads "A__B" variables as "A:B"; the
    /// command line stands in for the environment here so the test process's own variables do not leak in.
    /// </summary>
    public static string[] Arguments(IReadOnlyDictionary<string, string> appSettings) =>
    [
        "--Logging:LogLevel:Default=Warning",
        .. appSettings.Select(s => $"--{s.Key.Replace("__", ":", StringComparison.Ordinal)}={s.Value}"),
    ];

    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> appSettings) =>
        new ConfigurationBuilder().AddCommandLine(Arguments(appSettings)).Build();

    /// <summary>
    /// Builds and starts the worker's services, then resolves what start-up in Azure needs: the queue transport,
    /// the token store and the OAuth options (validated on first use).
    /// </summary>
    public static async Task<IHost> StartAsync(IReadOnlyDictionary<string, string> appSettings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = Arguments(appSettings),
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        builder.Services.AddBroker(builder.Configuration, HostingMode.FunctionsWorker, BrokerFunctions.Catalog);
        var app = builder.Build();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
            _ = app.Services.GetRequiredService<TokenBroker.Queues.IQueueTransport>();
            _ = app.Services.GetRequiredService<IMailboxRegistry>();
            _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OAuthOptions>>().Value;
            return app;
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }
}
