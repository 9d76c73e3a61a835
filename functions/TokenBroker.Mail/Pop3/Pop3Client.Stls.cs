namespace TokenBroker.Mail.Pop3;

public sealed partial class Pop3Client
{
    /// <summary>
    /// STLS on a pop3:// connection, then CAPA again: what was said in clear is not trusted. Refused
    /// without sending anything when CAPA answered and did not list STLS; when CAPA is unknown to the
    /// server, STLS is tried and the server's -ERR ends the attempt. Nothing continues without TLS.
    /// </summary>
    public async Task StlsAsync(CancellationToken cancellationToken = default)
    {
        if (IsEncrypted) throw new InvalidOperationException("The connection is already encrypted.");
        if (CapabilitiesKnown && !HasCapability("STLS"))
            throw new MailCommandException(
                $"The POP3 server does not offer STLS (CAPA: {string.Join(", ", _capabilities)}); refusing to continue without TLS.",
                string.Join(", ", _capabilities));
        await ExecuteAsync("STLS", cancellationToken).ConfigureAwait(false);
        await _connection.StartTlsAsync(cancellationToken).ConfigureAwait(false);
        _capabilities.Clear();
        CapabilitiesKnown = false;
        await TryCapaAsync(cancellationToken).ConfigureAwait(false);
    }
}
