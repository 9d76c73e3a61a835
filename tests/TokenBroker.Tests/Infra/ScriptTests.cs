using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>The deployment scripts parse, pass shellcheck, and refuse bad input before touching Azure.</summary>
public class ScriptTests
{
    public static TheoryData<string> Scripts() => new(Directory.GetFiles(AzureTemplate.Directory, "*.sh").Select(Path.GetFileName)!);

    private static string PathOf(string script) => Path.Combine(AzureTemplate.Directory, script);

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task The_script_has_valid_bash_syntax(string script)
    {
        var result = await ScriptRun.RunAsync("bash", ["-n", PathOf(script)]);

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task The_script_passes_shellcheck(string script)
    {
        Assert.SkipUnless(ScriptRun.IsInstalled("shellcheck"), "shellcheck is not installed (Debian: apt-get install shellcheck).");

        var result = await ScriptRun.RunAsync("shellcheck", [PathOf(script)]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task The_script_stops_on_errors_and_unset_variables(string script)
    {
        var text = await File.ReadAllTextAsync(PathOf(script), TestContext.Current.CancellationToken);

        Assert.StartsWith("#!/usr/bin/env bash\n", text);
        Assert.Contains("\nset -euo pipefail\n", text);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task The_script_explains_its_options(string script)
    {
        var result = await ScriptRun.RunAsync("bash", [PathOf(script), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output + result.Error);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task The_script_refuses_an_unknown_option_naming_it(string script)
    {
        var result = await ScriptRun.RunAsync("bash", [PathOf(script), "--no-such-option"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown option '--no-such-option'", result.Error);
    }

    [Fact]
    public async Task Deploy_needs_a_resource_group()
    {
        var result = await ScriptRun.RunAsync("bash", [PathOf("deploy.sh")]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--resource-group is required", result.Error);
    }

    [Fact]
    public async Task Register_app_refuses_a_redirect_uri_that_is_not_https()
    {
        var result = await ScriptRun.RunAsync("bash", [PathOf("register-app.sh"), "--redirect-uri", "http://broker.example/api/consent/callback", "--key-vault", "kv"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("must be an https URL", result.Error);
    }
}
