namespace TokenBroker.Bridge.Access;

/// <summary>
/// Checks an app's bridge secret for a mailbox and hands out the mailbox's current access token: in process (this
/// machine's client registry and token store) or from a remote broker.
/// </summary>
public interface IBridgeAccess
{
    /// <param name="mailbox">The login name the app gave, normalized (lower case).</param>
    /// <param name="secret">The password the app gave: its bridge client secret.</param>
    /// <param name="protocol">smtp, imap or pop3: what the app logs in to (named in a refusal event).</param>
    Task<BridgeLoginResult> LoginAsync(string mailbox, string secret, string protocol, CancellationToken cancellationToken);
}
