using System.Text.Json.Nodes;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The "description" of worker.config.json, read as the Functions host reads it to start the worker:
/// executable, its arguments, the worker path (relative to the folder) and the worker's arguments.
/// </summary>
internal sealed record WorkerDescription(
    string Language,
    string Executable,
    IReadOnlyList<string> ExecutableArguments,
    string? WorkerPath,
    IReadOnlyList<string> WorkerArguments)
{
    public static WorkerDescription Read(PublishFolder folder)
    {
        var description = JsonNode.Parse(File.ReadAllText(folder.WorkerConfigFile))?["description"]
            ?? throw new InvalidOperationException($"{folder.WorkerConfigFile} has no \"description\".");

        string Expand(string value) => value.Replace("{WorkerRoot}", folder.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        IReadOnlyList<string> List(string name) =>
            description[name]?.AsArray().Select(item => Expand(item!.GetValue<string>())).ToArray() ?? [];

        var executable = description["defaultExecutablePath"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"{folder.WorkerConfigFile} has no description.defaultExecutablePath.");
        var workerPath = description["defaultWorkerPath"]?.GetValue<string>() is { Length: > 0 } relative
            ? Path.GetFullPath(Expand(relative), folder.Path)
            : null;

        return new WorkerDescription(
            description["language"]?.GetValue<string>() ?? "",
            Expand(executable),
            List("arguments"),
            workerPath,
            List("workerArguments"));
    }

    /// <summary>The executable to start: "dotnet" is looked up on PATH, then where the running SDK is.</summary>
    public string ResolveExecutable()
    {
        if (Path.IsPathRooted(Executable) || Executable.Contains(Path.DirectorySeparatorChar))
            return Executable;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, Executable))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
            return onPath;
        if (Executable == "dotnet" && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        return Executable;
    }
}
