using System.Diagnostics;
using System.Globalization;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The worker process started the way the Functions host starts it: worker.config.json's executable and
/// worker path, the four --functions-* switches the worker reads, the app folder as working directory and
/// FUNCTIONS_APPLICATION_DIRECTORY. Its output is kept for failure reports; it is killed on dispose.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>The host passes int.MaxValue as the gRPC message limit.</summary>
    private const int GrpcMaxMessageLength = int.MaxValue;
    private const int KeptLines = 60;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    /// <summary>Completes when the process exits, so waits for the worker can stop early.</summary>
    public Task Exited => _exited.Task;

    public static WorkerProcess Start(
        PublishFolder folder, Uri hostUri, string workerId, string requestId, IReadOnlyDictionary<string, string> environment)
    {
        var description = WorkerDescription.Read(folder);
        var start = new ProcessStartInfo(description.ResolveExecutable())
        {
            WorkingDirectory = folder.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in description.ExecutableArguments)
            start.ArgumentList.Add(argument);
        if (description.WorkerPath is not null)
            start.ArgumentList.Add(description.WorkerPath);
        foreach (var argument in description.WorkerArguments)
            start.ArgumentList.Add(argument);
        // What Microsoft.Azure.Functions.Worker 2.x maps from the command line (WorkerHostBuilderExtensions.RegisterCommandLine).
        start.ArgumentList.Add("--functions-uri");
        start.ArgumentList.Add(hostUri.AbsoluteUri);
        start.ArgumentList.Add("--functions-worker-id");
        start.ArgumentList.Add(workerId);
        start.ArgumentList.Add("--functions-request-id");
        start.ArgumentList.Add(requestId);
        start.ArgumentList.Add("--functions-grpc-max-message-length");
        start.ArgumentList.Add(GrpcMaxMessageLength.ToString(CultureInfo.InvariantCulture));

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = description.Language is { Length: > 0 } language ? language : "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = folder.Path;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = folder.Path;
        start.Environment["AzureWebJobsScriptRoot"] = folder.Path;
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var commandLine = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList));
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, commandLine);
        process.OutputDataReceived += (_, line) => worker.Keep("out", line.Data);
        process.ErrorDataReceived += (_, line) => worker.Keep("err", line.Data);
        process.Exited += (_, _) => worker._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    private void Keep(string stream, string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.Enqueue($"[{stream}] {line}");
            while (_output.Count > KeptLines)
                _output.Dequeue();
        }
    }

    /// <summary>Whether it still runs (or its exit code), the command line and the last lines of stdout/stderr.</summary>
    public string Describe()
    {
        if (_process.HasExited)
            _process.WaitForExit(); // lets the output readers drain
        string[] lines;
        lock (_output)
            lines = _output.ToArray();
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"running (pid {_process.Id})";
        return $"worker process {state}\ncommand: {CommandLine}\nlast output lines:\n" +
               (lines.Length == 0 ? "  (none)" : string.Join('\n', lines.Select(line => "  " + line)));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Never started, or did not die within the limit: nothing more to do here.
        }
        _process.Dispose();
    }
}
