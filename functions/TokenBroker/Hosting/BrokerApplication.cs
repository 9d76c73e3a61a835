using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting.Configuration;
using TokenBroker.Hosting.CustomHandler;
using TokenBroker.Hosting.Diagnostics;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Standalone;
using TokenBroker.Jobs.Fetch;
using TokenBroker.Jobs.Mail;
using TokenBroker.Queues;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Refresh;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Hosting;

/// <summary>What to build: the command line, the mode, the table, and a hook for callers (tests) to adjust services.</summary>
public sealed record BrokerStartup(string[] Args, HostingMode Mode, FunctionTable Table)
{
    public Action<WebApplicationBuilder>? Configure { get; init; }
}

/// <summary>Builds the one web app behind both faces: the custom handler for the Functions host, and standalone.</summary>
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
        builder.WebHost.UseUrls(ListenUrls(startup.Mode, builder.Configuration));

        var services = builder.Services;
        services.AddSingleton(startup.Table);
        services.AddSingleton(new HostingModeInfo(startup.Mode));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FunctionInvoker>();
        services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>();
        services.AddOptions<QueueHostingOptions>().BindConfiguration(QueueHostingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueHostingOptions>, QueueHostingOptionsValidator>();
        services.AddQueueTransport();
        // Under the Functions host tokens must live in Key Vault: instances share nothing on disk.
        if (startup.Mode == HostingMode.CustomHandler && builder.Configuration["TokenStore:Kind"] is null)
            services.AddKeyVaultTokenStore(builder.Configuration);
        else
            services.AddTokenStore(builder.Configuration);
        services.AddOAuth(builder.Configuration);
        services.AddMailLedger(builder.Configuration);
        services.AddMailJobs(builder.Configuration);
        services.AddFetchJob(builder.Configuration);
        services.AddRefreshJob(builder.Configuration);
        if (startup.Mode == HostingMode.Standalone)
        {
            services.AddHostedService<TimerScheduler>();
            services.AddHostedService<QueueListenerService>();
        }
        startup.Configure?.Invoke(builder);

        FunctionTableValidation.Validate(startup.Table, startup.Mode, builder.Configuration);
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
        if (startup.Mode == HostingMode.CustomHandler)
        {
            app.UseCustomHandlerReadiness();
            app.UseRouting();
            app.MapCustomHandlerInvocations();
        }
        else
            app.MapGet("/", () => TypedResults.Text("TokenBroker is running. See /api/health."));
        foreach (var function in startup.Table.Http)
        {
            app.MapMethods("/api/" + function.Route, function.Methods, function.Handler)
                .WithName(function.Name)
                .AddEndpointFilterFactory((factory, next) =>
                {
                    var services = factory.ApplicationServices;
                    var filter = new HttpAuthLevelFilter(function.AuthLevel, services.GetRequiredService<HostingModeInfo>(), services.GetRequiredService<IOptions<BrokerOptions>>());
                    return context => filter.InvokeAsync(context, next);
                });
        }
        StartupTrace.Mark("endpoints mapped");
        return app;
    }

    private static string ListenUrls(HostingMode mode, IConfiguration configuration)
    {
        if (mode == HostingMode.Standalone)
            return configuration[$"{BrokerOptions.Section}:Urls"] ?? new BrokerOptions().Urls;
        var port = configuration[HostingModeInfo.CustomHandlerPortVariable];
        return int.TryParse(port, out var number) && number is >= 0 and < 65536
            ? $"http://127.0.0.1:{number}"
            : throw new InvalidOperationException($"Setting '{HostingModeInfo.CustomHandlerPortVariable}' must be a TCP port number; it is '{port}'.");
    }
}
