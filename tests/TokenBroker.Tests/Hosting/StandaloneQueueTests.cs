using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting;
using TokenBroker.Queues;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Hosting;

/// <summary>Queue functions fed by the embedded SQLite queue with the Functions trigger's semantics.</summary>
public class StandaloneQueueTests
{
    private readonly InvocationRecorder _recorder = new();

    private Task<RunningBroker> StartAsync() =>
        RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), services => services.AddSingleton(_recorder),
            new Dictionary<string, string> { ["Queues:MaxPollingInterval"] = "00:00:00.200" });

    private static IQueueTransport Transport(RunningBroker broker) => broker.Services.GetRequiredService<IQueueTransport>();

    [Fact]
    public async Task Every_message_put_on_the_queue_is_handled_exactly_once()
    {
        await using var broker = await StartAsync();
        var transport = Transport(broker);
        var texts = Enumerable.Range(0, 100).Select(i => $"message {i}").ToList();

        foreach (var text in texts)
            await transport.SendAsync("work-items", text, cancellationToken: TestContext.Current.CancellationToken);
        await QueueDepth.WaitForAsync(transport, "work-items", 0);

        Assert.Equal(texts.Order(), _recorder.Messages.Select(m => m.Text).Order());
    }

    [Fact]
    public async Task A_message_whose_handler_always_throws_ends_in_the_poison_queue_after_five_dequeues_with_its_text_intact()
    {
        await using var broker = await StartAsync();
        var transport = Transport(broker);
        const string text = """{"to":"ops@example.com","subject":"Grüße \u2603 <&>"}""";

        await transport.SendAsync("doomed-items", text, cancellationToken: TestContext.Current.CancellationToken);
        await QueueDepth.WaitForAsync(transport, "doomed-items-poison", 1);

        Assert.Equal([1L, 2, 3, 4, 5], _recorder.Messages.Select(m => m.DequeueCount));
        var poisoned = Assert.Single(await transport.ReceiveAsync("doomed-items-poison", 32, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        Assert.Equal(text, poisoned.Text);
        Assert.Equal(0, await transport.GetApproximateCountAsync("doomed-items", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Outputs_of_a_successful_invocation_are_put_on_their_queue()
    {
        await using var broker = await StartAsync();
        var transport = Transport(broker);

        await transport.SendAsync("work-items", """{"echo":"ping"}""", cancellationToken: TestContext.Current.CancellationToken);
        await QueueDepth.WaitForAsync(transport, "work-results", 1);

        var output = Assert.Single(await transport.ReceiveAsync("work-results", 32, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        Assert.Equal("""{"echo":"ping"}""", output.Text);
    }

    [Fact]
    public async Task The_queue_survives_a_restart_of_the_broker()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("restart-").FullName;
        await using (var first = await RunningBroker.StartAsync(HostingMode.Standalone, new FunctionCatalog([]), dataDirectory: dataDirectory))
        {
            await Transport(first).CreateIfNotExistsAsync("work-items", TestContext.Current.CancellationToken);
            await Transport(first).SendAsync("work-items", "kept", cancellationToken: TestContext.Current.CancellationToken);
        }

        await using var second = await RunningBroker.StartAsync(HostingMode.Standalone, TestTables.Spine(), services => services.AddSingleton(_recorder), dataDirectory: dataDirectory);
        await _recorder.WaitForAsync(r => r.Messages.Count == 1);

        Assert.Equal("kept", _recorder.Messages.Single().Text);
    }
}
