using System.Diagnostics;
using System.Text.Json;

namespace TokenBroker.Benchmarks;

/// <summary>
/// Runs one of the Python comparison scripts (python/*.py, copied beside the benchmark) and returns the JSON line it
/// prints. The access token goes to the script on stdin, so it never appears in a process list.
/// </summary>
internal static class PythonComparison
{
    public static async Task<JsonElement> RunAsync(string script, IEnumerable<string> arguments, string token, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("PYTHON") ?? "python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", script));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"python3 could not start {script}.");
        await process.StandardInput.WriteLineAsync(token.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} exited with {process.ExitCode}: {(await errors).Trim()}");
        var lastLine = (await output).Trim().Split('\n')[^1];
        return JsonDocument.Parse(lastLine).RootElement.Clone();
    }
}
