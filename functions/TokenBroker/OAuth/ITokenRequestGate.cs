namespace TokenBroker.OAuth;

/// <summary>
/// How many token requests a caller may have at the identity provider at once. The refresh sweep passes its own, so
/// that the limit it adapts to the provider's answers counts token requests only, while reading and writing the
/// store (which the provider never sees) overlap with them.
/// </summary>
public interface ITokenRequestGate
{
    /// <summary>Waits for a slot; disposing the result frees it.</summary>
    ValueTask<ITokenRequestSlot> EnterAsync(CancellationToken cancellationToken);
}

/// <summary>One token request's place at the gate.</summary>
public interface ITokenRequestSlot : IDisposable
{
    /// <summary>
    /// The identity provider refused the request. Told before the slot is freed, so that a request waiting for it
    /// already sees the pause (Retry-After) or the end (a broken client credential) this answer calls for.
    /// </summary>
    void Refused(TokenFailure failure, TimeSpan? retryAfter);
}

/// <summary>The gate starts no more requests (the sweep ended it): the request never reached the identity provider.</summary>
public sealed class TokenRequestGateClosedException() : OperationCanceledException("No more token requests through this gate: the refresh sweep ended them.");
