using TokenBroker.Callers;
using TokenBroker.OAuth;

namespace TokenBroker.Bridge.Access;

/// <summary>
/// The bridge on the broker's machine: secrets checked against the client registry (hash, "bridge" operation, mailbox
/// scope), tokens from the same token provider as `serve` (cached in memory until 5 minutes before expiry).
/// </summary>
public sealed class InProcessBridgeAccess(IClientRegistry registry, IMailboxTokenProvider tokens) : IBridgeAccess
{
    public async Task<BridgeLoginResult> LoginAsync(string mailbox, string secret, CancellationToken cancellationToken)
    {
        if (!ClientSecret.TryParse(secret, out var id, out var random)) return BridgeLoginResult.Wrong(mailbox);
        var client = await registry.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        if (client is null || !ClientSecret.Matches(random, client.SecretHash)) return BridgeLoginResult.Wrong(mailbox);
        var caller = new Caller(client.Name, client.Mailboxes, client.Operations);
        if (!caller.May(CallerOperations.Bridge, mailbox)) return BridgeLoginResult.Wrong(mailbox);
        try
        {
            var token = await tokens.GetAccessTokenAsync(mailbox, cancellationToken).ConfigureAwait(false);
            return new BridgeLoginResult(BridgeLoginOutcome.Accepted, client.Name, mailbox, token, null);
        }
        catch (MailboxTokenUnavailableException unavailable)
        {
            return BridgeLoginResult.From(client.Name, mailbox, unavailable);
        }
    }
}
