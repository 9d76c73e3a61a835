using TokenBroker.Mail.Net;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>
    /// Connects, reads the greeting and, for imap://, upgrades with STARTTLS (refusing to go on without
    /// it); for imaps:// TLS is already up. The client is then ready to authenticate.
    /// </summary>
    public static async Task<ImapClient> ConnectAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = await OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        return await ClientSetup.CompleteAsync(client, async c =>
        {
            if (c._capabilities.Count == 0) await c.CapabilityAsync(cancellationToken).ConfigureAwait(false);
            if (!c.IsEncrypted) await c.StartTlsAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Connects and reads the greeting only (TLS only for imaps://): for a probe that shows each step.</summary>
    public static async Task<ImapClient> OpenAsync(MailEndpoint endpoint, MailClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Protocol != MailProtocol.Imap) throw new ArgumentException($"{endpoint} is not an IMAP endpoint.", nameof(endpoint));
        var connection = await MailConnection.ConnectAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        return await ClientSetup.CompleteAsync(new ImapClient(connection), c => c.ReadGreetingAsync(cancellationToken)).ConfigureAwait(false);
    }
}
