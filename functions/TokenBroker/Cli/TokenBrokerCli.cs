using System.CommandLine;
using TokenBroker.Hosting;

namespace TokenBroker.Cli;

/// <summary>The `tokenbroker` command line. With no command it serves; started by the Functions host it is the worker.</summary>
public static class TokenBrokerCli
{
    public static Task<int> RunAsync(string[] args)
    {
        if (HostingModeInfo.Detect(args) == HostingMode.FunctionsWorker)
            return TokenBroker.Hosting.Worker.WorkerHost.RunAsync(args);
        return ParseAndInvokeAsync(args);
    }

    // Apart, so that a start under the Functions host, which waits for the worker, does not load the parser at all.
    private static Task<int> ParseAndInvokeAsync(string[] args)
    {
        var root = new RootCommand("TokenBroker: OAuth2 tokens for SMTP, IMAP and POP3 on Microsoft 365.")
        {
            ServeCommand.Create(),
            PackageCommand.Create(),
            StatusCommand.Create(),
            MailboxCommand.Create(),
            EventsCommand.Create(),
            QueuesCommand.Create(),
            ClientsCommand.Create(),
            ConsentInviteCommand.Create(),
            BridgeCommand.Create(),
            ImportCommand.Create(),
            new Command("mail", "Send, fetch and probe mail with an OAuth token, as the broker does (diagnoses \"AUTHENTICATE failed\").")
            {
                MailSendCommand.Create(),
                MailFetchCommand.Create(),
                MailProbeCommand.Create(),
                MailEnqueueCommand.Create(),
            },
        };
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, cancellationToken) => ServeCommand.RunAsync(result.UnmatchedTokens.ToArray(), cancellationToken));
        return root.Parse(args).InvokeAsync();
    }
}
