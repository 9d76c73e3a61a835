using TokenBroker.Store;

namespace TokenBroker.OAuth;

/// <summary>
/// What a sign-in must prove, whichever way it arrived (browser callback, device code, imported refresh token):
/// who may sign in for which mailbox, the protocols whose scopes the token must carry, and whether another account
/// than the connected one may take over.
/// </summary>
public sealed record ConsentTarget(string Mailbox, string? DelegateAddress, MailProtocols Protocols, bool ReplaceAccount = false)
{
    public static ConsentTarget Of(ConsentState state) => new(state.Mailbox, state.DelegateAddress, state.Protocols, state.ReplaceAccount);
}
