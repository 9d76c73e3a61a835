using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>
/// The broker as the Functions host starts it in Azure: custom-handler mode, the product's function table, and
/// no configuration but the template's app settings (plus the embedded appsettings.json the package carries).
/// </summary>
internal static class TemplateBroker
{
    /// <summary>
    /// App settings become environment variables in Azure, and .NET reads "A__B" variables as "A:B"; the
    /// command line stands in for the environment here so the test process's own variables do not leak in.
    /// </summary>
    public static string[] Arguments(IReadOnlyDictionary<string, string> appSettings) =>
    [
        $"--{HostingModeInfo.CustomHandlerPortVariable}=0",
        "--Logging:LogLevel:Default=Warning",
        .. appSettings.Select(s => $"--{s.Key.Replace("__", ":", StringComparison.Ordinal)}={s.Value}"),
    ];

    public static IConfiguration Configuration(IReadOnlyDictionary<string, string> appSettings) =>
        new ConfigurationBuilder().AddCommandLine(Arguments(appSettings)).Build();

    /// <summary>
    /// Builds and starts the app, then resolves what start-up in Azure mode needs: the queue transport, the
    /// token store and the OAuth options (validated on first use). The OAuth registration is added here the way
    /// <see cref="BrokerApplication"/> will add it once it is wired there (the token store already is).
    /// </summary>
    public static async Task<WebApplication> StartAsync(IReadOnlyDictionary<string, string> appSettings)
    {
        var app = BrokerApplication.Build(new BrokerStartup(Arguments(appSettings), HostingMode.CustomHandler, BrokerFunctions.Table)
        {
        });
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
            await app.DisposeAsync();
            throw;
        }
    }
}
