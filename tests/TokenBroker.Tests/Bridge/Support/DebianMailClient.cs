using System.Diagnostics;
using TokenBroker.Testing;

namespace TokenBroker.Tests.Bridge.Support;

/// <summary>Runs one of Debian's mail tools (swaks, fetchmail, postfix scripts) with a bounded wait; the output for failure messages.</summary>
internal static class DebianMailClient
{
    public sealed record Run(int ExitCode, string Output);

    public static async Task<Run> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        start.Environment["PEERS_DIR"] = PeersEnvironment.Directory;
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output + await errors);
    }
}
