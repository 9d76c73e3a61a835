using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Imap;

public sealed partial class ImapClient
{
    /// <summary>LOGOUT: the server answers * BYE then OK and closes the connection.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        await ExecuteAsync(new ImapCommand("LOGOUT"), cancellationToken: cancellationToken).ConfigureAwait(false);
        IsAuthenticated = false;
        SelectedMailbox = null;
    }
}
