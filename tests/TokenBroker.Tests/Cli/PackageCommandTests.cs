using System.CommandLine;
using System.IO.Compression;
using System.Text.Json.Nodes;
using TokenBroker.Cli;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Cli;

/// <summary>
/// `tokenbroker package DIR` on a folder laid out as `dotnet publish` lays out the isolated worker: the folder as it is,
/// host.json at its root, local.settings.json beside it for func start, and the zip for Azure.
/// </summary>
public sealed class PackageCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("package-command-").FullName;
    private readonly string _published;
    private readonly string _target;

    public PackageCommandTests()
    {
        _published = Path.Combine(_root, "publish");
        _target = Path.Combine(_root, "out", "site");
        Directory.CreateDirectory(Path.Combine(_published, ".azurefunctions"));
        File.WriteAllText(Path.Combine(_published, "functions.metadata"), Metadata);
        File.WriteAllText(Path.Combine(_published, "worker.config.json"), """{"description":{"language":"dotnet-isolated","defaultExecutablePath":"dotnet","defaultWorkerPath":"tokenbroker.dll"}}""");
        File.WriteAllText(Path.Combine(_published, "extensions.json"), """{"extensions":[]}""");
        File.WriteAllText(Path.Combine(_published, ".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll"), "extension");
        File.WriteAllText(Path.Combine(_published, "tokenbroker.dll"), "worker");
        File.WriteAllText(Path.Combine(_published, "appsettings.json"), """{"RefreshSchedule":"0 */5 * * * *","Queues":{"Transport":"sqlite"}}""");
        File.Copy(Path.Combine(RepositoryRoot.Path, "host.json"), Path.Combine(_published, "host.json"));
        var apphost = Path.Combine(_published, "tokenbroker");
        File.WriteAllText(apphost, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(apphost, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    /// <summary>The shape the worker SDK writes (direction "In"/"Out", no connection for the default one).</summary>
    private const string Metadata = """
        [
          {"name":"Health","scriptFile":"tokenbroker.dll","entryPoint":"TokenBroker.Health.Run","language":"dotnet-isolated","properties":{"IsCodeless":false},
           "bindings":[{"name":"req","direction":"In","type":"httpTrigger","authLevel":"Anonymous","methods":["get"],"route":"health","properties":{}},
                       {"name":"$return","type":"http","direction":"Out"}]},
          {"name":"MailWorker","scriptFile":"tokenbroker.dll","entryPoint":"TokenBroker.Mail.Run","language":"dotnet-isolated","properties":{"IsCodeless":false},
           "bindings":[{"name":"message","direction":"In","type":"queueTrigger","dataType":"String","queueName":"mail-requests","connection":"AzureWebJobsStorage","properties":{}},
                       {"name":"Events","direction":"Out","type":"queue","queueName":"broker-events","connection":"AzureWebJobsStorage","properties":{}}]},
          {"name":"RefreshTokens","scriptFile":"tokenbroker.dll","entryPoint":"TokenBroker.Refresh.Run","language":"dotnet-isolated","properties":{"IsCodeless":false},
           "bindings":[{"name":"timer","direction":"In","type":"timerTrigger","schedule":"%RefreshSchedule%","properties":{}},
                       {"name":"Events","direction":"Out","type":"queue","queueName":"broker-events","properties":{}}]}
        ]
        """;

    private async Task<(int ExitCode, string Output, string Error)> PackageAsync(string? target = null)
    {
        var root = new RootCommand { PackageCommand.Create(_published) };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(["package", target ?? _target]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task The_folder_is_the_published_worker_as_it_is_plus_local_settings()
    {
        var (exitCode, output, error) = await PackageAsync();

        Assert.True(exitCode == 0, error);
        Assert.Contains(_target + ".zip", output);
        Assert.Equal(Files(_published).Append("local.settings.json").Order(StringComparer.Ordinal), Files(_target));
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")), File.ReadAllText(Path.Combine(_target, "host.json")));
        Assert.Equal(Metadata, File.ReadAllText(Path.Combine(_target, "functions.metadata")));
    }

    [Fact]
    public async Task The_zip_has_host_json_and_the_worker_files_at_its_root_and_leaves_local_settings_out()
    {
        var (exitCode, _, error) = await PackageAsync();

        Assert.True(exitCode == 0, error);
        using var zip = ZipFile.OpenRead(_target + ".zip");
        var entries = zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Files(_published), entries);
        Assert.Contains("host.json", entries);
        Assert.Contains(".azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll", entries);
        Assert.DoesNotContain("local.settings.json", entries);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_zip_keeps_the_unix_mode_of_the_apphost()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Windows has no Unix file modes.");

        var (exitCode, _, error) = await PackageAsync();

        Assert.True(exitCode == 0, error);
        using var zip = ZipFile.OpenRead(_target + ".zip");
        Assert.True(((UnixFileMode)(zip.GetEntry("tokenbroker")!.ExternalAttributes >> 16)).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.GetUnixFileMode(Path.Combine(_target, "tokenbroker")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task Local_settings_run_the_isolated_worker_on_azurite_with_the_settings_the_functions_refer_to()
    {
        var (exitCode, _, error) = await PackageAsync();

        Assert.True(exitCode == 0, error);
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(_target, "local.settings.json")))!["Values"]!;
        Assert.Equal("dotnet-isolated", (string?)values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", (string?)values["AzureWebJobsStorage"]);
        Assert.Equal("0 */5 * * * *", (string?)values["RefreshSchedule"]);
    }

    [Fact]
    public async Task A_second_package_replaces_the_folder_and_the_zip()
    {
        Assert.Equal(0, (await PackageAsync()).ExitCode);
        File.WriteAllText(Path.Combine(_target, "stale.txt"), "from an older package");
        File.Delete(Path.Combine(_published, "extensions.json"));

        var (exitCode, _, error) = await PackageAsync();

        Assert.True(exitCode == 0, error);
        Assert.False(File.Exists(Path.Combine(_target, "stale.txt")));
        using var zip = ZipFile.OpenRead(_target + ".zip");
        Assert.Null(zip.GetEntry("extensions.json"));
    }

    [Fact]
    public async Task Without_host_json_next_to_the_executable_it_fails_with_a_sentence_and_writes_nothing()
    {
        File.Delete(Path.Combine(_published, "host.json"));

        var (exitCode, _, error) = await PackageAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains($"tokenbroker package: '{_published}' has no host.json: the build copies the repository's host.json next to the executable.", error);
        Assert.False(Directory.Exists(_target));
    }

    [Theory]
    [InlineData("functions.metadata")]
    [InlineData("worker.config.json")]
    public async Task A_folder_that_is_not_an_isolated_worker_publish_is_refused_naming_the_missing_file(string file)
    {
        File.Delete(Path.Combine(_published, file));

        var (exitCode, _, error) = await PackageAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains($"is not a published isolated-worker build of tokenbroker: it has no {file}. Run dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true", error);
    }

    [Fact]
    public async Task A_package_folder_inside_the_published_folder_is_refused()
    {
        var (exitCode, _, error) = await PackageAsync(Path.Combine(_published, "site"));

        Assert.Equal(2, exitCode);
        Assert.Contains("must be outside the published folder", error);
    }

    [Fact]
    public async Task A_package_folder_that_holds_the_published_folder_is_refused_and_nothing_is_deleted()
    {
        var (exitCode, _, error) = await PackageAsync(_root);

        Assert.Equal(2, exitCode);
        Assert.Contains("would replace the published folder", error);
        Assert.True(File.Exists(Path.Combine(_published, "functions.metadata")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
