using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenBroker.Tests.Hosting.WorkerProtocol;

/// <summary>
/// The published isolated worker the tests run (TOKENBROKER_PUBLISH_DIR): the folder the Functions host
/// would be given, with <c>worker.config.json</c> telling how to start it and <c>functions.metadata</c>
/// listing its functions.
/// </summary>
internal sealed class PublishFolder
{
    public const string Variable = "TOKENBROKER_PUBLISH_DIR";

    private PublishFolder(string path) => Path = path;

    public string Path { get; }

    public string WorkerConfigFile => System.IO.Path.Combine(Path, "worker.config.json");

    public string FunctionsMetadataFile => System.IO.Path.Combine(Path, "functions.metadata");

    public static PublishFolder Locate()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException(
                $"{Variable} is not set: point it at an isolated-worker publish folder " +
                "(dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o <dir>).");
        var folder = new PublishFolder(System.IO.Path.GetFullPath(path));
        foreach (var file in new[] { folder.WorkerConfigFile, folder.FunctionsMetadataFile })
        {
            if (!File.Exists(file))
                throw new InvalidOperationException($"{file} is missing: {folder.Path} is not the publish folder of an isolated worker.");
        }
        return folder;
    }

    /// <summary>The route prefix of HTTP functions: host.json's extensions.http.routePrefix, "api" when absent (as host and worker read it).</summary>
    public string RoutePrefix()
    {
        var hostJson = System.IO.Path.Combine(Path, "host.json");
        if (!File.Exists(hostJson))
            return "api";
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var node = JsonNode.Parse(File.ReadAllText(hostJson), documentOptions: options);
        return node?["extensions"]?["http"]?["routePrefix"]?.GetValue<string>() ?? "api";
    }
}
