using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>STARTTLS on an imap:// connection, then CAPABILITY again: what was said in clear is not trusted.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken = default)
    {
        if (IsEncrypted) throw new InvalidOperationException("The connection is already encrypted.");
        if (!HasCapability("STARTTLS"))
            throw new MailCommandException(
                $"The IMAP server does not offer STARTTLS (capabilities: {string.Join(' ', _capabilities)}); refusing to continue without TLS.",
                string.Join(' ', _capabilities));
        await ExecuteAsync(new ImapCommand("STARTTLS"), cancellationToken: cancellationToken).ConfigureAwait(false);
        await _connection.StartTlsAsync(cancellationToken).ConfigureAwait(false);
        _capabilities.Clear();
        await CapabilityAsync(cancellationToken).ConfigureAwait(false);
    }
}
