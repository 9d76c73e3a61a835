using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>CAPABILITY: asks the server what it supports now (the answer changes after STARTTLS and login).</summary>
    public async Task<IReadOnlyCollection<string>> CapabilityAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync(new ImapCommand("CAPABILITY"), cancellationToken: cancellationToken).ConfigureAwait(false);
        return _capabilities.ToArray();
    }
}
