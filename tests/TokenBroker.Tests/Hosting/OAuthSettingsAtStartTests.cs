using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenBroker.Functions;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>
/// Sign-in settings at start: none at all is a broker without sign-in (it starts, and /api/status says what is missing);
/// any of them set means sign-in is wanted, so a wrong or missing one stops the start with its sentence (exit code 2:
/// PublishedExecutableTests).
/// </summary>
public sealed class OAuthSettingsAtStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly FunctionCatalog StatusOnly = FunctionCatalog.ForTypes([typeof(StatusFunction)]);

    [Fact]
    public async Task A_client_id_without_a_credential_stops_the_start_naming_the_missing_settings()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, StatusOnly, settings: new Dictionary<string, string> { ["OAuth:ClientId"] = "6731de76-14a6-49ae-97bc-6eba6914391e" }));

        Assert.Contains(error.Failures, f => f.StartsWith("OAuth: no client credential is set", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("OAuth:RedirectUri (or OAuth:PublicBaseUrl) is missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_http_authority_stops_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            RunningBroker.StartAsync(HostingMode.Standalone, StatusOnly, settings: new Dictionary<string, string>
            {
                ["OAuth:AuthorityHost"] = "http://login.contoso.test",
                ["OAuth:ClientId"] = "c",
                ["OAuth:ClientSecret"] = "s",
                ["OAuth:PublicBaseUrl"] = "https://broker.contoso.test",
            }));

        Assert.StartsWith("OAuth:AuthorityHost must be an absolute https address", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task Without_oauth_settings_the_broker_starts_and_status_lists_what_sign_in_lacks()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, StatusOnly);

        using var response = await broker.Client.GetAsync("/api/status", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var problems = report.RootElement.GetProperty("signInProblems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains(problems, p => p!.StartsWith("OAuth:ClientId is missing", StringComparison.Ordinal));
        Assert.Equal(0, report.RootElement.GetProperty("mailboxes").GetArrayLength());
    }

    [Fact]
    public async Task Without_oauth_settings_the_status_command_says_sign_in_is_not_configured_and_why()
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, StatusOnly);
        var output = new StringWriter();

        var exit = await new System.CommandLine.RootCommand { TokenBroker.Cli.StatusCommand.Create() }
            .Parse(["status", "--url", broker.Client.BaseAddress!.AbsoluteUri, "--credential", TestCredentials.MasterKey])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output }, Ct);

        Assert.Equal(0, exit);
        Assert.Contains("Sign-in is not configured, so no mailbox can be connected or re-consented:", output.ToString());
        Assert.Contains("OAuth:ClientId is missing", output.ToString());
    }

    [Fact]
    public void Serve_help_names_the_settings_file_the_environment_form_and_the_main_settings()
    {
        var help = TokenBroker.Cli.ServeCommand.Description();

        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), help);
        Assert.Contains("OAuth__ClientId", help);
        Assert.Contains("--Section:Key=value", help);
        foreach (var setting in new[] { "Broker:DataDirectory", "Broker:Urls", "OAuth:TenantId", "OAuth:ClientSecret", "OAuth:TrustedCaFile", "TokenStore:Kind", "Queues:Transport", "Events:WebhookUrl" })
            Assert.Contains(setting, help);
    }
}
