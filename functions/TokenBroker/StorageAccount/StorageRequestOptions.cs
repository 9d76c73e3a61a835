using Azure.Core;

namespace TokenBroker.StorageAccount;

/// <summary>
/// How the storage SDK clients (queue transport, blob ledger) send requests: the time limit of one attempt and the retries
/// of transient failures (408, 429, 5xx, network errors, an attempt timing out), with exponential backoff and jitter.
/// </summary>
public class StorageRequestOptions
{
    /// <summary>Time limit of one attempt, including reading the response (the SDK's NetworkTimeout).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a transient failure.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>The longest delay between two attempts (a 429's Retry-After is honoured up to it).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <param name="section">The configuration section these came from, named in the error.</param>
    internal void Validate(string section)
    {
        if (RequestTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException($"Setting '{section}:RequestTimeout' must be positive.");
        if (MaxRetries is < 0 or > 20)
            throw new InvalidOperationException($"Setting '{section}:MaxRetries' is {MaxRetries}; use 0 to 20.");
        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
            throw new InvalidOperationException($"Settings '{section}:RetryDelay' and '{section}:MaxRetryDelay' must satisfy 0 <= RetryDelay <= MaxRetryDelay.");
    }

    internal void ApplyTo(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = MaxRetries;
        retry.Delay = RetryDelay;
        retry.MaxDelay = MaxRetryDelay;
        retry.NetworkTimeout = RequestTimeout;
    }
}
