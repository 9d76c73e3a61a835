using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Hosting;
using TokenBroker.Queues;
using TokenBroker.Testing;
using TokenBroker.Tests.Hosting.Support;
using TokenBroker.Hosting.Functions;

namespace TokenBroker.Tests.Hosting;

/// <summary>The same listener semantics with Azure Storage queues, against Azurite (the real emulator).</summary>
public class StandaloneAzureQueueTests
{
    private readonly InvocationRecorder _recorder = new();
    private readonly string _queue = "azure-work-" + Guid.NewGuid().ToString("n")[..12];

    private Task<RunningBroker> StartAsync() =>
        RunningBroker.StartAsync(HostingMode.Standalone,
            FunctionCatalog.ForTypes([typeof(RecordingQueueFunction), typeof(FailingQueueFunction)]),
            services => services.AddSingleton(_recorder),
            new Dictionary<string, string>
            {
                ["Queues:Transport"] = "azure",
                ["AzureWebJobsStorage"] = PeersEnvironment.Get("AZURITE_CONNECTION_STRING"),
                ["Queues:MaxPollingInterval"] = "00:00:00.200",
                ["WorkQueue"] = _queue,
                ["DoomedQueue"] = _queue + "-d",
            });

    [Fact]
    public async Task Every_message_put_on_an_azurite_queue_is_handled_exactly_once()
    {
        await using var broker = await StartAsync();
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        var texts = Enumerable.Range(0, 60).Select(i => $"{{\"n\":{i}}}").ToList();
        await transport.CreateIfNotExistsAsync(_queue, TestContext.Current.CancellationToken);

        foreach (var text in texts)
            await transport.SendAsync(_queue, text, cancellationToken: TestContext.Current.CancellationToken);
        await _recorder.WaitForAsync(r => r.Messages.Count >= texts.Count, TimeSpan.FromSeconds(60));
        await QueueDepth.WaitForAsync(transport, _queue, 0);

        Assert.Equal(texts.Order(), _recorder.Messages.Select(m => m.Text).Order());
    }

    [Fact]
    public async Task A_message_that_always_fails_on_azurite_ends_in_the_poison_queue_with_its_text_intact()
    {
        await using var broker = await StartAsync();
        var transport = broker.Services.GetRequiredService<IQueueTransport>();
        await transport.CreateIfNotExistsAsync(_queue + "-d", TestContext.Current.CancellationToken);

        await transport.SendAsync(_queue + "-d", "plain text <not json> & more", cancellationToken: TestContext.Current.CancellationToken);
        await QueueDepth.WaitForAsync(transport, _queue + "-d-poison", 1);

        Assert.Equal(5, _recorder.Messages.Count);
        var poisoned = Assert.Single(await transport.ReceiveAsync(_queue + "-d-poison", 32, TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        Assert.Equal("plain text <not json> & more", poisoned.Text);
    }
}
