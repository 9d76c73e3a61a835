using System.Net.Http.Json;
using TokenBroker.Hosting.Health;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>
/// The executable as it ships, started as a user starts it (serve) and as the Functions host starts it (worker
/// arguments). The worker's conversation with the host: WorkerProtocol/; the package command: Cli/PackageCommandTests.
/// </summary>
public class PublishedExecutableTests
{
    [Fact]
    public async Task Serve_answers_the_health_function_in_standalone_mode()
    {
        await using var broker = await PublishedBroker.StartStandaloneAsync();

        var health = await broker.Client.GetFromJsonAsync<HealthReport>("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal("standalone", health!.Mode);
    }

    [Fact]
    public async Task An_invalid_setting_stops_the_start_with_one_sentence_naming_it()
    {
        var (exitCode, _, error) = await PublishedBroker.RunAsync(["serve"], new Dictionary<string, string>
        {
            ["Queues__BatchSize"] = "0",
            ["Broker__Urls"] = $"http://127.0.0.1:{PublishedBroker.FreePort()}",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("tokenbroker: invalid configuration: Setting 'Queues:BatchSize' must be between 1 and 32; it is 0.", error);
    }

    [Fact]
    public async Task An_oauth_client_id_without_the_other_sign_in_settings_stops_the_start_with_exit_code_2()
    {
        var (exitCode, _, error) = await PublishedBroker.RunAsync(["serve"], new Dictionary<string, string>
        {
            ["OAuth__ClientId"] = "6731de76-14a6-49ae-97bc-6eba6914391e",
            ["OAuth__ClientSecret"] = "not-a-real-secret",
            ["Broker__Urls"] = $"http://127.0.0.1:{PublishedBroker.FreePort()}",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("tokenbroker: invalid configuration: OAuth:RedirectUri (or OAuth:PublicBaseUrl) is missing: the identity provider needs the consent callback address.", error);
    }

    [Fact]
    public async Task Serve_help_names_the_settings_file_beside_the_executable_and_the_environment_form()
    {
        var (exitCode, output, _) = await PublishedBroker.RunAsync(["serve", "--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains(Path.Combine(Path.GetDirectoryName(PublishedBroker.Executable)!, "appsettings.json"), output);
        Assert.Contains("OAuth__ClientId", output);
        Assert.Contains("OAuth:TrustedCaFile", output);
    }

    [Fact]
    public async Task A_fetch_sink_setting_that_would_let_requests_choose_urls_stops_the_start_with_exit_code_2()
    {
        var (exitCode, _, error) = await PublishedBroker.RunAsync(["serve"], new Dictionary<string, string>
        {
            ["Sinks__Webhooks__helpdesk__Url"] = "http://helpdesk.example.com/pipe",
            ["Sinks__Webhooks__helpdesk__Secret"] = "whsec_ZnV6ei10ZXN0LXNpbmstc2VjcmV0LTMyLWJ5dGVz",
            ["Broker__Urls"] = $"http://127.0.0.1:{PublishedBroker.FreePort()}",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("tokenbroker: invalid configuration: Setting 'Sinks:Webhooks:helpdesk:Url' is 'http://helpdesk.example.com/pipe'", error);
    }

    [Fact]
    public async Task Started_as_the_functions_worker_without_a_key_vault_it_stops_with_one_sentence_naming_the_setting()
    {
        var port = PublishedBroker.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, _, error) = await PublishedBroker.RunAsync(
            ["--functions-uri", $"http://127.0.0.1:{port}/", "--functions-worker-id", "w1", "--functions-request-id", "r1", "--functions-grpc-max-message-length", "2147483647"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("tokenbroker: invalid configuration: TokenStore:VaultUri is not set", error);
    }
}
