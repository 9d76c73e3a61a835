using System.CommandLine;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Diagnostics;

namespace TokenBroker.Cli;

/// <summary>`tokenbroker serve`: the standalone broker, running the same functions as the worker does on Azure.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the broker standalone: HTTP functions, timers and queue listeners on this machine (the default).");
        command.SetAction((result, cancellationToken) => RunAsync(result.UnmatchedTokens.ToArray(), cancellationToken));
        return command;
    }

    /// <summary>Runs until stopped; a configuration mistake ends it with one sentence and exit code 2.</summary>
    public static Task<int> RunAsync(string[] configurationArgs, CancellationToken cancellationToken)
    {
        StartupTrace.Mark("serving standalone");
        return ConfigurationErrors.RunAsync(
            () => BrokerApplication.Build(new BrokerStartup(configurationArgs, HostingMode.Standalone, BrokerFunctions.Catalog)),
            cancellationToken);
    }
}
