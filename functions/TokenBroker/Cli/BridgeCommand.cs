using System.CommandLine;
using TokenBroker.Bridge;
using TokenBroker.Hosting;

namespace TokenBroker.Cli;

/// <summary>
/// `tokenbroker bridge`: local SMTP, IMAP and POP3 endpoints for apps that can only log in with a password; each login
/// (mailbox + the app's bridge secret) becomes an XOAUTH2 login with the mailbox's token (docs/bridge.md).
/// </summary>
internal static class BridgeCommand
{
    public static Command Create()
    {
        var command = new Command("bridge", "Run the mail bridge: SMTP/IMAP/POP3 listeners (Bridge:* settings) that log apps in to the mail server with the broker's tokens.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
        {
            BridgeSockets.PreferInlineCompletions();
            return ConfigurationErrors.RunAsync(() => BridgeHost.Build(result.UnmatchedTokens.ToArray()), cancellationToken);
        });
        return command;
    }
}
