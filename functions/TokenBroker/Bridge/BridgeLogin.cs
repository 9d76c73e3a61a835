using System.Diagnostics;
using TokenBroker.Bridge.Access;
using TokenBroker.OAuth;

namespace TokenBroker.Bridge;

/// <summary>
/// The login every front door (SMTP, IMAP, POP3) makes: the name must be a mailbox address, the password the app's
/// bridge secret. A wrong secret is answered only after <see cref="BridgeOptions.FailedLoginDelay"/> (each connection
/// waits on its own; other logins go on) and never reaches the mail server.
/// </summary>
public sealed class BridgeLogin(IBridgeAccess access, BridgeActivity activity, BridgeOptions options, TimeProvider time)
{
    private const int MaxSecretLength = 512;

    public BridgeActivity Activity => activity;

    public async Task<BridgeLoginResult> LoginAsync(string user, string secret, string protocol, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        BridgeLoginResult result;
        if (!AddressInput.TryNormalize(user, out var mailbox, out _) || secret.Length is 0 or > MaxSecretLength)
            result = BridgeLoginResult.Wrong(user.Length > 320 ? user[..320] : user);
        else
            result = await access.LoginAsync(mailbox, secret, protocol, cancellationToken).ConfigureAwait(false);

        if (result.Outcome == BridgeLoginOutcome.Accepted) return result;
        if (result.Outcome == BridgeLoginOutcome.WrongCredentials)
            await Task.Delay(options.FailedLoginDelay, time, cancellationToken).ConfigureAwait(false);
        await activity.LoginRefusedAsync(result, protocol, OutcomeName(result.Outcome), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The mail server took the token: the session is counted from here.</summary>
    public void Accepted(BridgeLoginResult result, string protocol, long startedTimestamp) =>
        activity.LoginAccepted(result.App!, result.Mailbox, protocol, Stopwatch.GetElapsedTime(startedTimestamp));

    /// <summary>The mail server refused the token the broker gave (its reply is in <paramref name="serverReply"/>).</summary>
    public Task ServerRefusedAsync(BridgeLoginResult result, string protocol, string serverReply, CancellationToken cancellationToken) =>
        activity.LoginRefusedAsync(result with { Reason = "The mail server refused the mailbox's token: " + serverReply }, protocol, "server-refused", cancellationToken);

    public static string OutcomeName(BridgeLoginOutcome outcome) => outcome switch
    {
        BridgeLoginOutcome.Accepted => "accepted",
        BridgeLoginOutcome.WrongCredentials => "wrong-credentials",
        BridgeLoginOutcome.NeedsConsent => "needs-consent",
        BridgeLoginOutcome.Unavailable => "unavailable",
        _ => "no-token",
    };

    /// <summary>The sentence an app is told when its login is refused for the mailbox's sake (not a wrong secret).</summary>
    public static string Explain(BridgeLoginResult result) => result.Outcome switch
    {
        BridgeLoginOutcome.NeedsConsent => $"TokenBroker has no valid token for {result.Mailbox}: the mailbox needs consent ({result.Reason}). An administrator must send a new consent link.",
        BridgeLoginOutcome.Unavailable => $"TokenBroker cannot get a token for {result.Mailbox} right now ({result.Reason}). Try again later.",
        BridgeLoginOutcome.NoToken => $"TokenBroker has no token for {result.Mailbox}: {result.Reason}",
        _ => "Authentication failed.",
    };
}
