using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenBroker.StorageAccount;

/// <summary>
/// Counts the attempts the SDK makes for the calls started inside its scope (the SDK retries within one call). A caller
/// whose reading of an answer depends on a retry needs it: a retried delete that finds the message gone has succeeded,
/// its first attempt went through and only the answer was lost.
/// </summary>
internal sealed class StorageAttemptCount : IDisposable
{
    private const string PropertyName = "TokenBroker.StorageAttemptCount";
    private const string AttemptProperty = "TokenBroker.StorageAttempt";
    private readonly IDisposable _scope;
    private int _attempts;

    public StorageAttemptCount() =>
        _scope = HttpPipeline.CreateHttpMessagePropertiesScope(new Dictionary<string, object?> { [PropertyName] = this });

    /// <summary>Attempts sent so far by the calls in the scope.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public bool WasRetried => Attempts > 1;

    public void Dispose() => _scope.Dispose();

    /// <summary>Called by <see cref="StorageAttemptPolicy"/> for every attempt; returns the attempt's number within its call.</summary>
    internal static int Record(HttpMessage message)
    {
        if (message.TryGetProperty(PropertyName, out var value) && value is StorageAttemptCount count) Interlocked.Increment(ref count._attempts);
        // The SDK reuses one message for all attempts of a call.
        var attempt = (message.TryGetProperty(AttemptProperty, out var previous) && previous is int number ? number : 0) + 1;
        message.SetProperty(AttemptProperty, attempt);
        return attempt;
    }
}
