namespace TokenBroker.AzureStorage;

/// <summary>How the storage REST clients (queue transport, blob ledger) send requests: API version, time limit, retries.</summary>
public class StorageRequestOptions
{
    /// <summary>The REST API version sent as x-ms-version (Azurite 3.37 and Azure both accept it).</summary>
    public string ApiVersion { get; set; } = "2021-12-02";

    /// <summary>Time limit of one HTTP attempt, including reading the response.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a transient failure (5xx, 429, a network error or an attempt timing out).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(400);
}
