using Microsoft.Extensions.Options;

namespace TokenBroker.Hosting;

/// <summary>Runs a host so that a configuration mistake ends the process with one sentence and exit code 2, on both faces.</summary>
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
                await host.RunAsync(cancellationToken);
                return 0;
            }
            catch (OptionsValidationException invalid)
            {
                return await ReportAsync(string.Join(" ", invalid.Failures));
            }
        }
    }

    private static async Task<int> ReportAsync(string sentence)
    {
        await Console.Error.WriteLineAsync($"tokenbroker: invalid configuration: {sentence}");
        return ExitCode;
    }
}
