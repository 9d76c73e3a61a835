using System.Diagnostics;

namespace TokenBroker.Tests.Hosting.Support;

/// <summary>tests/TokenBroker.TestHost as a child process, built in the same configuration as these tests.</summary>
internal static class TestHostProcess
{
    /// <param name="onOutput">Receives each line the host writes (stdout and stderr); null: the lines are dropped.</param>
    public static ChildBroker Start(IEnumerable<string> arguments, Action<string>? onOutput = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var dll = Path.Combine(RepositoryRoot.Path, "tests", "TokenBroker.TestHost", "bin", configuration, "net10.0", "TokenBroker.TestHost.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"The test host is not built at {dll}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        if (onOutput is not null)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutput(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutput(e.Data); };
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildBroker(process);
    }
}

/// <summary>
/// A broker child process that is killed when disposed: a test that fails half-way must not leave a broker behind that
/// goes on taking messages from queues other tests share (Azurite's).
/// </summary>
/// <param name="recentOutput">The last lines the process wrote, for the failure message when it exits early.</param>
internal sealed class ChildBroker(Process process, Func<string>? recentOutput = null) : IDisposable
{
    public int Id => process.Id;

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails when the host exits first or the time is up.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The broker process exited with code {process.ExitCode}.{(recentOutput is null ? "" : " Its last lines:\n" + recentOutput())}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The broker process {process.Id} did not get there within {timeout}.");
            await Task.Delay(50, cancellationToken);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        process.Dispose();
    }
}
