using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Diagnostics;

namespace TokenBroker.Cli;

/// <summary>`tokenbroker serve`: the standalone broker, running the same functions as the worker does on Azure.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the broker standalone: HTTP functions, timers and queue listeners on this machine (the default).");
        command.SetAction((result, cancellationToken) => RunAsync(HostingMode.Standalone, result.UnmatchedTokens.ToArray(), cancellationToken));
        return command;
    }

    /// <summary>Runs until stopped; a configuration mistake ends it with one sentence and exit code 2.</summary>
    public static async Task<int> RunAsync(HostingMode mode, string[] configurationArgs, CancellationToken cancellationToken)
    {
        StartupTrace.Mark($"serving as {new HostingModeInfo(mode).Name}");
        WebApplication app;
        try
        {
            app = BrokerApplication.Build(new BrokerStartup(configurationArgs, mode, BrokerFunctions.Catalog));
        }
        catch (Exception invalid) when (invalid is InvalidOperationException or ArgumentException)
        {
            // Everything Build throws is about configuration: settings, the functions' references, store choice.
            await Console.Error.WriteLineAsync($"tokenbroker: invalid configuration: {invalid.Message}");
            return 2;
        }
        try
        {
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (OptionsValidationException invalid)
        {
            await Console.Error.WriteLineAsync($"tokenbroker: invalid configuration: {string.Join(" ", invalid.Failures)}");
            return 2;
        }
    }
}
