namespace TokenBroker.OAuth;

public enum TokenFailureKind
{
    /// <summary>A person must sign in again (consent link); the mailbox waits for it.</summary>
    NeedsConsent,

    /// <summary>The broker's own client credential is broken: every mailbox fails until an operator fixes it.</summary>
    BrokenCredential,

    /// <summary>Service or network trouble: retry with backoff and keep the mailbox's state.</summary>
    Transient,

    /// <summary>An authorization code was redeemed a second time (a reloaded or replayed callback).</summary>
    CallbackReplay,

    /// <summary>Anything else: configuration or a request the identity provider refused for another reason.</summary>
    Failed,
}

/// <summary>What a token failure means for the broker, with the reason in words (no token material).</summary>
public sealed record TokenFailure(TokenFailureKind Kind, string Reason, int? AadstsCode = null, string? Error = null)
{
    public bool IsTransient => Kind == TokenFailureKind.Transient;
}
