using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Health;
using TokenBroker.Queues;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

public class StandaloneHttpTests
{
    private static Task<RunningBroker> StartAsync(string? adminKey = null) =>
        RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), services => services.AddSingleton(new InvocationRecorder()),
            adminKey is null ? null : new Dictionary<string, string> { ["Broker:AdminKey"] = adminKey });

    [Fact]
    public async Task Http_functions_are_served_on_their_api_routes()
    {
        await using var broker = await StartAsync();

        using var response = await broker.Client.GetAsync("/api/echo/standalone", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("standalone", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_function_level_route_answers_a_caller_presenting_the_master_key()
    {
        await using var broker = await StartAsync();

        using var response = await broker.Client.GetAsync("/api/secret", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_function_level_route_refuses_a_loopback_caller_without_a_credential()
    {
        await using var broker = await StartAsync();
        using var stranger = broker.AnonymousClient();

        using var response = await stranger.GetAsync("/api/secret", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Authorization: Bearer", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_function_level_route_refuses_a_wrong_master_key()
    {
        await using var broker = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/secret");
        request.Headers.Authorization = new("Bearer", TestCredentials.MasterKey + "x");

        using var response = await broker.AnonymousClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_reports_version_mode_and_the_depth_of_every_queue_and_its_poison_queue()
    {
        await using var broker = await StartAsync();
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync("work-results", TestContext.Current.CancellationToken);
        await transport.SendAsync("work-results", "{}", cancellationToken: TestContext.Current.CancellationToken);
        await transport.SendAsync("work-results", "{}", cancellationToken: TestContext.Current.CancellationToken);

        var health = await broker.Client.GetFromJsonAsync<HealthReport>("/api/health", TestContext.Current.CancellationToken);

        Assert.Equal("standalone", health!.Mode);
        Assert.Equal(HealthReporter.Version, health.Version);
        Assert.Matches(@"^\d+\.\d+\.\d+", health.Version);
        Assert.Equal(["doomed-items", "work-items", "work-results", "tick-results"], health.Queues.Select(q => q.Name));
        Assert.Equal(new QueueHealth("work-results", 2, 0), health.Queues.Single(q => q.Name == "work-results"));
    }
}
