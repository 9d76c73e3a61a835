using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TokenBroker.Hosting;

/// <summary>
/// Runs a host so that a configuration mistake ends the process with one sentence and exit code 2, and a background
/// service that failed (and so stopped the host) with exit code 1, on both faces.
/// </summary>
internal static class ConfigurationErrors
{
    public const int ExitCode = 2;

    public static async Task<int> RunAsync(Func<IHost> build, CancellationToken cancellationToken)
    {
        IHost host;
        try
        {
            host = build();
        }
        catch (Exception invalid) when (invalid is InvalidOperationException or ArgumentException)
        {
            // Everything a build throws is about configuration: settings, the functions' references, store choice.
            return await ReportAsync(invalid.Message);
        }
        using (host)
        {
            try
            {
                // Taken before the run: RunAsync disposes the host's services when it ends.
                var backgroundServices = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
                await host.RunAsync(cancellationToken);
                return FailedService(backgroundServices) is { } failed ? await ReportFailureAsync(failed) : 0;
            }
            catch (OptionsValidationException invalid)
            {
                return await ReportAsync(string.Join(" ", invalid.Failures));
            }
        }
    }

    /// <summary>The process's exit code when a background service ended in an exception and so stopped the host.</summary>
    public const int ServiceFailedExitCode = 1;

    // A failed BackgroundService stops the host and RunAsync returns normally: without this the process would exit 0,
    // and a supervisor that restarts on failure (systemd Restart=on-failure) would leave the broker down.
    private static (string Name, Exception Error)? FailedService(IEnumerable<BackgroundService> services) =>
        services
            .Where(s => s.ExecuteTask is { IsFaulted: true })
            .Select(s => ((string Name, Exception Error)?)(s.GetType().Name, s.ExecuteTask!.Exception!.GetBaseException()))
            .FirstOrDefault();

    private static async Task<int> ReportFailureAsync((string Name, Exception Error) failed)
    {
        await Console.Error.WriteLineAsync($"tokenbroker: stopped because {failed.Name} failed: {failed.Error.Message}");
        return ServiceFailedExitCode;
    }

    private static async Task<int> ReportAsync(string sentence)
    {
        await Console.Error.WriteLineAsync($"tokenbroker: invalid configuration: {sentence}");
        return ExitCode;
    }
}
