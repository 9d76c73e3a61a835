using MailKit;
using TokenBroker.Mail.Net;
using TokenBroker.Mail.Sasl;
using ImapClient = MailKit.Net.Imap.ImapClient;
using Pop3Client = MailKit.Net.Pop3.Pop3Client;

namespace TokenBroker.Mail.Probe;

/// <summary>
/// Logs in to an IMAP, POP3 or SMTP server one visible step at a time (the opening — connect,
/// capabilities, TLS, capabilities again —, authenticate, a first real command, logout) over MailKit and
/// returns what the server said at each step. It never throws for a server's answer: the result says
/// which step failed and why.
/// </summary>
public static class MailLoginProbe
{
    public static async Task<MailProbeResult> ProbeAsync(
        MailEndpoint endpoint,
        MailClientOptions options,
        OAuthSaslMechanism mechanism,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mechanism);
        var transcript = new ProbeTranscript(options.ProtocolLog);
        var probeOptions = ProbeTranscript.WithLog(options, transcript);
        var result = new MailProbeResult { Endpoint = endpoint };
        var steps = new ProbeSteps(result, transcript);
        using MailService client = endpoint.Protocol switch
        {
            MailProtocol.Imap => MailKitConnector.CreateImap(probeOptions),
            MailProtocol.Pop3 => MailKitConnector.CreatePop3(probeOptions),
            _ => MailKitConnector.CreateSmtp(probeOptions),
        };
        try
        {
            if (!await OpenAsync(client, endpoint, probeOptions, result, transcript, cancellationToken).ConfigureAwait(false)) return result;
            var verb = endpoint.Protocol == MailProtocol.Imap ? "AUTHENTICATE" : "AUTH";
            MailCommandException? refusedAfterLogin = null;
            if (!await steps.RunAsync($"{verb} {mechanism.MechanismName}", async () =>
                {
                    try
                    {
                        await OAuthLogin.AuthenticateAsync(client, mechanism, cancellationToken).ConfigureAwait(false);
                    }
                    catch (MailCommandException e) when (e is not MailThrottledException)
                    {
                        refusedAfterLogin = e;
                    }
                }).ConfigureAwait(false))
                return result;
            if (endpoint.Protocol != MailProtocol.Smtp)
                result.CapabilitiesAfterLogin = ProbeCapabilities.From(endpoint.Protocol, result.Steps[^1].ServerLines);
            if (refusedAfterLogin is not null)
            {
                await steps.RunAsync("first command after login", () => Task.FromException(refusedAfterLogin)).ConfigureAwait(false);
                return result;
            }
            await (client switch
            {
                ImapClient imap => AfterImapLoginAsync(imap, result, steps, transcript, cancellationToken),
                Pop3Client pop3 => AfterPop3LoginAsync(pop3, steps, cancellationToken),
                _ => steps.RunAsync("QUIT", () => client.DisconnectAsync(quit: true, cancellationToken)),
            }).ConfigureAwait(false);
        }
        finally
        {
            result.Transcript = transcript.Lines;
        }
        return result;
    }

    private static async Task<bool> OpenAsync(MailService client, MailEndpoint endpoint, MailClientOptions options,
        MailProbeResult result, ProbeTranscript transcript, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await MailKitConnector.ConnectAsync(client, endpoint, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MailProtocolException or MailCommandException)
        {
            error = e.Message;
        }
        ProbeOpening.Record(result, endpoint, transcript.TakeDialogue(), error);
        return error is null;
    }

    private static async Task AfterImapLoginAsync(ImapClient client, MailProbeResult result, ProbeSteps steps, ProbeTranscript transcript, CancellationToken cancellationToken)
    {
        // Exchange accepts the token of a mailbox with IMAP disabled and only fails the next command.
        if (!await steps.RunAsync("EXAMINE INBOX", async () =>
            {
                var inbox = client.Inbox ?? throw new MailCommandException(
                    $"The server did not list INBOX after login: {LastReply(client)}", LastReply(client));
                await inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false))
            return;
        await steps.RunAsync("LOGOUT", () => client.DisconnectAsync(quit: true, cancellationToken)).ConfigureAwait(false);
    }

    private static async Task AfterPop3LoginAsync(Pop3Client client, ProbeSteps steps, CancellationToken cancellationToken)
    {
        if (!await steps.RunAsync("STAT", () => client.GetMessageCountAsync(cancellationToken)).ConfigureAwait(false)) return;
        await steps.RunAsync("QUIT", () => client.DisconnectAsync(quit: true, cancellationToken)).ConfigureAwait(false);
    }

    private static string LastReply(MailService client) => (client.ProtocolLogger as MailKitProtocolLog)?.LastServerLine ?? "";
}
