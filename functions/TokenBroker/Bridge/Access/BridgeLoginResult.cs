using TokenBroker.OAuth;

namespace TokenBroker.Bridge.Access;

public enum BridgeLoginOutcome
{
    /// <summary>The app's secret is valid for the mailbox and a token is at hand.</summary>
    Accepted,

    /// <summary>Unknown or wrong secret, no "bridge" operation, or a mailbox outside its scope: all look the same to the app.</summary>
    WrongCredentials,

    /// <summary>The mailbox needs a person to consent again (expired or revoked refresh token).</summary>
    NeedsConsent,

    /// <summary>The identity provider or the broker is not answering now; the app may retry.</summary>
    Unavailable,

    /// <summary>The app may use the mailbox but the broker has no token for another reason (disabled, unknown, broken credential).</summary>
    NoToken,
}

/// <summary>What a bridge login came to. <see cref="Reason"/> is a sentence for the app (never a secret).</summary>
public sealed record BridgeLoginResult(BridgeLoginOutcome Outcome, string? App, string Mailbox, MailboxAccessToken? Token, string? Reason)
{
    public static BridgeLoginResult Wrong(string mailbox) => new(BridgeLoginOutcome.WrongCredentials, null, mailbox, null, null);

    public static BridgeLoginResult From(string app, string mailbox, MailboxTokenUnavailableException unavailable) =>
        new(unavailable.Failure.Kind switch
        {
            TokenFailureKind.NeedsConsent => BridgeLoginOutcome.NeedsConsent,
            TokenFailureKind.Transient => BridgeLoginOutcome.Unavailable,
            _ => BridgeLoginOutcome.NoToken,
        }, app, mailbox, null, unavailable.Failure.Reason);
}
