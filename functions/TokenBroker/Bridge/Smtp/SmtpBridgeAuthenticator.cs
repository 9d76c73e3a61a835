using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using TokenBroker.Bridge.Access;

namespace TokenBroker.Bridge.Smtp;

/// <summary>
/// AUTH PLAIN / LOGIN on the SMTP bridge: the user is the mailbox, the password the app's bridge secret. A wrong secret
/// is the library's 535 after the delay; a mailbox without a usable token is a 535 5.7.8 (needs consent) or 454 4.7.0
/// (try later) that says why. The accepted login is kept with the session for its messages.
/// </summary>
public sealed class SmtpBridgeAuthenticator(BridgeLogin login) : IUserAuthenticator
{
    internal const string LoginKey = "tokenbroker.bridge.login";
    internal const string SecretKey = "tokenbroker.bridge.secret";
    internal const string Protocol = "smtp";

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await login.LoginAsync(user, password, Protocol, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case BridgeLoginOutcome.Accepted:
                context.Properties[LoginKey] = result;
                // Kept in memory for this session only: a message sent after the token nears expiry needs a fresh one.
                context.Properties[SecretKey] = password;
                // The mail server login happens with the first message (on a pooled, already authenticated connection).
                login.Accepted(result, Protocol, started);
                return true;
            case BridgeLoginOutcome.WrongCredentials:
                return false;
            case BridgeLoginOutcome.Unavailable:
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)454, "4.7.0 " + BridgeConnection.OneLine(BridgeLogin.Explain(result))));
            default:
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)535, "5.7.8 " + BridgeConnection.OneLine(BridgeLogin.Explain(result))));
        }
    }
}
