using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>NOOP: keeps the session alive and collects pending updates (EXISTS, EXPUNGE).</summary>
    public Task NoopAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync(new ImapCommand("NOOP"), cancellationToken: cancellationToken);
}
