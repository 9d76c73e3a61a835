namespace TokenBroker.Hosting.Configuration;

/// <summary>
/// Queue trigger behaviour, with the Azure Functions queue extension's defaults. Standalone listeners follow
/// it; the package writes the same values into host.json so Azure behaves alike.
/// </summary>
public sealed class QueueHostingOptions
{
    public const string Section = "Queues";

    /// <summary>"sqlite" (embedded, standalone default) or "azure" (Azure Storage queues (Azure.Storage.Queues)).</summary>
    public string Transport { get; set; } = "sqlite";

    /// <summary>The setting (prefix) holding the Azure Storage connection, as in function.json's "connection".</summary>
    public string Connection { get; set; } = TokenBroker.Hosting.Functions.FunctionCatalog.DefaultConnection;

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays invisible before its retry.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch a new batch when this few messages are still in flight; null means half the batch size.</summary>
    public int? NewBatchThreshold { get; set; }

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a received message is hidden while its handler runs: a crashed handler's message reappears after it.</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}
