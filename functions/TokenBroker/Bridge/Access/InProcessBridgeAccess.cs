using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Bridge.Access;

/// <summary>
/// The bridge on the broker's machine: secrets checked against the client registry (hash, "bridge" operation, mailbox
/// scope), tokens from the same token provider as `serve` (cached in memory until 5 minutes before expiry).
/// </summary>
public sealed class InProcessBridgeAccess(BridgeSecretCheck secrets, IMailboxTokenProvider tokens) : IBridgeAccess
{
    public async Task<BridgeLoginResult> LoginAsync(string mailbox, string secret, string protocol, CancellationToken cancellationToken)
    {
        // The secret and token checks may block (the store, MSAL's cache): off a socket's event thread first.
        await Hosting.PoolThread.EnsureAsync();
        if (await secrets.AppFor(mailbox, secret, cancellationToken).ConfigureAwait(false) is not { } app) return BridgeLoginResult.Wrong(mailbox);
        try
        {
            var token = await tokens.GetAccessTokenAsync(mailbox, cancellationToken).ConfigureAwait(false);
            return new BridgeLoginResult(BridgeLoginOutcome.Accepted, app, mailbox, token, null);
        }
        catch (MailboxTokenUnavailableException unavailable)
        {
            return BridgeLoginResult.From(app, mailbox, unavailable);
        }
    }
}
