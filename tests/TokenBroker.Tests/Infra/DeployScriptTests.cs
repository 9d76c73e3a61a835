using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>
/// deploy.sh against stand-ins for az and dotnet (Infra/FakeTools) that record every call and fail on any call
/// they do not expect: the order of the steps, the secret's path and idempotency, without an Azure subscription.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string FakeSecret = "fake-client-secret-value-42";
    private readonly string _state = Directory.CreateTempSubdirectory("fake-az-").FullName;
    private readonly string _artifacts = Directory.CreateTempSubdirectory("deploy-artifacts-").FullName;

    private Task<ScriptResult> DeployAsync(params string[] extra) => ScriptRun.RunAsync("bash",
        [Path.Combine(AzureTemplate.Directory, "deploy.sh"), "-g", "rg-test", "-l", "westeurope", "--artifacts", _artifacts, .. extra],
        new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(RepositoryRoot.Path, "tests", "TokenBroker.Tests", "Infra", "FakeTools") + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["FAKE_AZ_STATE"] = _state,
        });

    private string RestBody()
    {
        Assert.Single(Lines("calls.log"), call => call.StartsWith("rest ", StringComparison.Ordinal));
        return File.ReadAllText(Path.Combine(_state, "rest.log"));
    }

    private string[] Lines(string log) => File.Exists(Path.Combine(_state, log)) ? File.ReadAllLines(Path.Combine(_state, log)) : [];

    [Fact]
    public async Task A_first_run_deploys_registers_stores_the_secret_deploys_with_the_client_id_and_uploads()
    {
        var run = await DeployAsync();

        Assert.True(run.ExitCode == 0, run.Error);
        var deployments = Lines("deployments.log");
        Assert.Equal(2, deployments.Length);
        Assert.Contains("clientId= ", deployments[0] + " ");
        Assert.Contains("clientId=aaaaaaaa-0000-0000-0000-000000000001", deployments[1]);
        Assert.Single(Lines("uploads.log"));
        Assert.Contains("\"redirectUris\": [\"https://tokenbroker-abc.azurewebsites.net/api/consent/callback\"]", RestBody());
    }

    [Fact]
    public async Task The_client_secret_reaches_key_vault_through_stdin_and_is_never_shown()
    {
        var run = await DeployAsync();

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(FakeSecret, await File.ReadAllTextAsync(Path.Combine(_state, "secret"), TestContext.Current.CancellationToken));
        Assert.DoesNotContain(FakeSecret, run.Output + run.Error);
        Assert.DoesNotContain(FakeSecret, string.Join('\n', Lines("calls.log")));
    }

    [Fact]
    public async Task A_second_run_deploys_once_keeps_the_secret_and_uploads_nothing()
    {
        Assert.Equal(0, (await DeployAsync()).ExitCode);

        var second = await DeployAsync();

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Equal(3, Lines("deployments.log").Length);
        Assert.Single(Lines("credential-resets.log"));
        Assert.Single(Lines("uploads.log"));
        Assert.Contains("Package unchanged", second.Output);
    }

    [Fact]
    public async Task What_if_changes_nothing()
    {
        File.WriteAllText(Path.Combine(_state, "group"), "");

        var run = await DeployAsync("--what-if");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Single(Lines("what-if.log"));
        Assert.Empty(Lines("deployments.log"));
        Assert.DoesNotContain(Lines("calls.log"), call => call.StartsWith("ad app create", StringComparison.Ordinal) || call.StartsWith("rest ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_app_only_mode_prints_the_exchange_powershell_with_the_enterprise_application_object_id()
    {
        var run = await DeployAsync("--app-only", "--mailbox", "shared@contoso.com");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("New-ServicePrincipal -AppId 'aaaaaaaa-0000-0000-0000-000000000001' -ObjectId 'cccccccc-0000-0000-0000-000000000003'", run.Error);
        Assert.Contains("Add-MailboxPermission -Identity 'shared@contoso.com' -User 'cccccccc-0000-0000-0000-000000000003' -AccessRights FullAccess", run.Error);
        Assert.Contains("Add-RecipientPermission -Identity 'shared@contoso.com' -Trustee 'cccccccc-0000-0000-0000-000000000003' -AccessRights SendAs", run.Error);
        Assert.Contains("\"type\":\"Role\"", RestBody());
    }

    [Fact]
    public async Task The_package_is_the_framework_dependent_ready_to_run_publish_with_the_repository_host_json_at_its_root()
    {
        var run = await DeployAsync();

        Assert.True(run.ExitCode == 0, run.Error);
        var publish = Assert.Single(Lines("dotnet.log"), call => call.StartsWith("publish ", StringComparison.Ordinal));
        Assert.Contains(" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true ", publish);
        Assert.Contains($"-o {Path.Combine(_artifacts, "publish")} ", publish + " ");
        Assert.Contains(Lines("dotnet.log"), call => call == $"{Path.Combine(_artifacts, "publish", "tokenbroker.dll")} package {Path.Combine(_artifacts, "package")}");
        var package = Path.Combine(_artifacts, "package");
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "host.json")), File.ReadAllText(Path.Combine(package, "host.json")));
        foreach (var file in new[] { "functions.metadata", "worker.config.json", "extensions.json", "tokenbroker.dll", ".azurefunctions/Microsoft.Azure.WebJobs.Extensions.Storage.Queues.dll" })
            Assert.True(File.Exists(Path.Combine(package, file)), $"The package lacks {file}.");
    }

    [Fact]
    public async Task A_previous_publish_in_the_artifacts_folder_does_not_leak_into_the_package()
    {
        Directory.CreateDirectory(Path.Combine(_artifacts, "publish"));
        File.WriteAllText(Path.Combine(_artifacts, "publish", "libcoreclr.so"), "left over from a self-contained publish");

        var run = await DeployAsync();

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.False(File.Exists(Path.Combine(_artifacts, "package", "libcoreclr.so")));
    }

    [Fact]
    public async Task The_zip_is_uploaded_as_it_is_without_a_remote_build()
    {
        var run = await DeployAsync();

        Assert.True(run.ExitCode == 0, run.Error);
        var upload = Assert.Single(Lines("uploads.log"));
        Assert.StartsWith("functionapp deployment source config-zip --resource-group rg-test --name tokenbroker-abc ", upload);
        Assert.Contains($" --src {Path.Combine(_artifacts, "package.zip")} ", upload);
        Assert.Contains(" --build-remote false ", upload);
    }

    [Fact]
    public async Task The_summary_explains_clients_and_invitations_and_deploy_never_reads_a_function_key()
    {
        var run = await DeployAsync("--mailbox", "helpdesk@contoso.com");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("tokenbroker consent invite helpdesk@contoso.com --protocols imap,smtp --url https://tokenbroker-abc.azurewebsites.net", run.Output);
        Assert.DoesNotContain("/api/consent/start", run.Output);
        Assert.DoesNotContain("code=", run.Output + run.Error);
        Assert.DoesNotContain("function key", run.Output + run.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Lines("calls.log"), call => call.Contains("keys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Skip_package_builds_and_uploads_nothing()
    {
        var run = await DeployAsync("--skip-package");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Empty(Lines("dotnet.log"));
        Assert.Empty(Lines("uploads.log"));
    }

    public void Dispose()
    {
        Directory.Delete(_state, recursive: true);
        Directory.Delete(_artifacts, recursive: true);
    }
}
