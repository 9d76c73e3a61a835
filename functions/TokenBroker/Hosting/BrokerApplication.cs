using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.Diagnostics;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;

namespace TokenBroker.Hosting;

/// <summary>What to build: the command line, the mode its services act in, the functions, and a hook for callers (tests) to adjust services.</summary>
public sealed record BrokerStartup(string[] Args, HostingMode Mode, FunctionCatalog Catalog)
{
    public Action<WebApplicationBuilder>? Configure { get; init; }
}

/// <summary>
/// The standalone face: Kestrel serves the HTTP functions under /api, a scheduler fires the timers and listeners feed
/// the queue functions, all taken from the <c>[Function]</c> classes the worker runs on Azure.
/// </summary>
public static class BrokerApplication
{
    private const string DisableConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    public static WebApplication Build(BrokerStartup startup)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Nothing reads settings again after the start, so appsettings.json needs no file watcher: setting one
            // up is start-up time spent for nothing. Given first, a command line can still turn it back on.
            Args = [DisableConfigurationReload, .. startup.Args],
            // appsettings.json (the embedded defaults) sits next to the executable, wherever it is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });
        StartupTrace.Mark("configuration built");
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls(builder.Configuration[$"{BrokerOptions.Section}:Urls"] ?? new BrokerOptions().Urls);

        builder.Services.AddBroker(builder.Configuration, startup.Mode, startup.Catalog);
        builder.Services.AddSingleton<FunctionInvoker>();
        builder.Services.AddHostedService<LocalCliCredentialWriter>();
        builder.Services.AddHostedService<TimerScheduler>();
        builder.Services.AddHostedService<QueueListenerService>();
        startup.Configure?.Invoke(builder);
        StartupTrace.Mark("services registered");

        var app = builder.Build();
        StartupTrace.Mark("services built");
        if (StartupTrace.IsEnabled)
        {
            app.Lifetime.ApplicationStarted.Register(() => StartupTrace.Mark("Kestrel listening"));
            app.Use(async (context, next) =>
            {
                await next(context);
                StartupTrace.MarkFirstRequestServed(context.Request.Path);
            });
        }
        var allowedHosts = AllowedHosts.From(app.Services.GetRequiredService<IOptions<BrokerOptions>>().Value,
            [app.Configuration["OAuth:PublicBaseUrl"], app.Configuration["OAuth:RedirectUri"]]).Hosts!;
        app.Use(async (context, next) =>
        {
            if (allowedHosts.Check(context.Request) is { } refusal) await refusal.ExecuteAsync(context);
            else await next(context);
        });
        // The operator's page is the dashboard; programs use /api/health and the APIs.
        app.MapGet("/", (HttpContext context) =>
        {
            TokenBroker.Dashboard.DashboardLayout.SetHeaders(context);
            return TypedResults.Redirect("/api/dashboard");
        });
        app.MapHttpFunctions(startup.Catalog);
        StartupTrace.Mark("endpoints mapped");
        return app;
    }
}
