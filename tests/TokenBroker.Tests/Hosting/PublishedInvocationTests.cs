using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>The product's own queue and timer functions, invoked on the published executable as the Functions host does.</summary>
public class PublishedInvocationTests
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> InvokeAsync(PublishedBroker broker, string function, string payload)
    {
        using var response = await broker.Client.PostAsync("/" + function, new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonNode.Parse(text));
    }

    [Fact]
    public async Task An_invalid_mail_request_on_the_queue_is_answered_with_a_poison_output_holding_its_text_and_a_failure_event()
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync();
        const string request = """{"version":1,"kind":"teleport","id":"r-1"}""";

        // The host serializes a string message once more: the message value is a JSON string holding a JSON string.
        var message = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonSerializer.Serialize(request));
        var (status, body) = await InvokeAsync(broker, "MailWorker",
            "{\"Data\":{\"message\":" + message + "},\"Metadata\":{\"DequeueCount\":1,\"Id\":\"m-1\"}}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(request, (string?)body!["Outputs"]!["poison"]![0]);
        var failure = JsonNode.Parse((string)body["Outputs"]!["events"]![0]!)!;
        Assert.Equal("mail.failed", (string?)failure["type"]);
        Assert.Contains("teleport", (string?)failure["reason"]);
    }

    [Fact]
    public async Task The_refresh_timer_invoked_by_the_host_answers_200()
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync();

        var (status, _) = await InvokeAsync(broker, "RefreshTokens", """{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task The_refresh_timer_fails_with_a_non_2xx_status_when_its_key_vault_cannot_be_reached()
    {
        await using var broker = await PublishedBroker.StartAsCustomHandlerAsync(new Dictionary<string, string>
        {
            ["TokenStore__Kind"] = "KeyVault",
            ["TokenStore__VaultUri"] = "https://127.0.0.1:9/",
            ["TokenStore__MaxRetries"] = "0",
        });

        var (status, body) = await InvokeAsync(broker, "RefreshTokens", """{"Data":{"timer":{"Schedule":{},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains(body!["Logs"]!.AsArray(), line => ((string?)line)!.Contains("RefreshTokens' failed"));
    }
}
