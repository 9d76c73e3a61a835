namespace TokenBroker.Callers;

/// <summary>
/// Whether a password an app gave the mail bridge is a client secret with the "bridge" operation on that mailbox.
/// Used by the bridge in process and by the token endpoint for a remote bridge; the answer is only yes or no, so an
/// app cannot tell an unknown secret from one without the right (both are a wrong password to it).
/// </summary>
public sealed class BridgeSecretCheck(IClientRegistry registry)
{
    /// <summary>The app's client name when the secret may log in to <paramref name="mailbox"/> through the bridge; otherwise null.</summary>
    public async Task<string?> AppFor(string mailbox, string secret, CancellationToken cancellationToken)
    {
        if (!ClientSecret.TryParse(secret, out var id, out var random)) return null;
        var client = await registry.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
        if (client is null || !ClientSecret.Matches(random, client.SecretHash)) return null;
        return new Caller(client.Name, client.Mailboxes, client.Operations).May(CallerOperations.Bridge, mailbox) ? client.Name : null;
    }
}
