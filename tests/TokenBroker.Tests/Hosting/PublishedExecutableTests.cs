using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using TokenBroker.Hosting.Health;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>The executable as it ships, started the way the Functions host starts it (the package command: Cli/PackageCommandTests).</summary>
public class PublishedExecutableTests
{
    [Fact]
    public async Task Started_with_a_custom_handler_port_it_serves_forwarded_http_functions_in_custom_handler_mode()
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync();

        var health = await broker.Client.GetFromJsonAsync<HealthReport>("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal("custom-handler", health!.Mode);
    }

    [Fact]
    public async Task Started_with_a_custom_handler_port_it_answers_a_malformed_invocation_with_400_and_a_sentence()
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync();

        using var response = await broker.Client.PostAsync("/Health", new StringContent("{not json", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("The invocation body for 'Health' is not valid JSON.", (string?)body["error"]);
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
    public async Task Under_the_functions_host_without_a_key_vault_the_start_fails_naming_the_setting()
    {
        var (exitCode, _, error) = await PublishedBroker.RunAsync([], new Dictionary<string, string>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = PublishedBroker.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("tokenbroker: invalid configuration: TokenStore:VaultUri is not set", error);
    }
}
